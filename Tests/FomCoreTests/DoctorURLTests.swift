import FomCore
import XCTest

/// CVAT_URL and FIFTYONE_DATABASE_URI as doctor reads them.
final class DoctorURLTests: XCTestCase {
    func testHTTPAndHTTPSURLsWithDefaultAndExplicitPorts() throws {
        let plain = try CVATServerURL.parse("http://localhost:8080").get()
        XCTAssertEqual([plain.scheme, plain.host], ["http", "localhost"])
        XCTAssertEqual(plain.port, 8080)
        XCTAssertEqual(try CVATServerURL.parse("https://app.cvat.ai").get().port, 443)
        XCTAssertEqual(try CVATServerURL.parse("HTTP://cvat.local").get().port, 80)
        let v6 = try CVATServerURL.parse("https://[::1]:8443/").get()
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 8443)
        XCTAssertTrue(v6.hasTrailingSlash)
        XCTAssertFalse(plain.hasTrailingSlash)
    }

    func testCredentialsInTheURLAreMaskedInItsDisplay() throws {
        let url = try CVATServerURL.parse("https://me:hunter22@cvat.local:8443/x").get()
        XCTAssertEqual(url.display, "https://***@cvat.local:8443/x")
        XCTAssertEqual(url.host, "cvat.local")
    }

    func testProblemsAreNamed() {
        func problem(_ text: String) -> String? {
            if case .failure(let p) = CVATServerURL.parse(text) { return p.message }
            return nil
        }
        XCTAssertEqual(problem("ftp://cvat.local"), "is a ftp URL, not http or https")
        XCTAssertEqual(problem("cvat.local:8080"), "has no scheme (write it as http://HOST:PORT or https://HOST)")
        XCTAssertEqual(problem("http://"), "has no host")
        XCTAssertEqual(problem("http://cvat:80x"), "has the port \"80x\", not a number from 1 to 65535")
        XCTAssertEqual(problem("http://cvat:0"), "has the port \"0\", not a number from 1 to 65535")
        XCTAssertEqual(problem("http://cvat local"), "contains whitespace")
    }

    func testMongoURIServers() {
        XCTAssertEqual(
            MongoURI.parse("mongodb://127.0.0.1:27017"), .servers([MongoURI.Server(host: "127.0.0.1", port: 27017)]))
        XCTAssertEqual(
            MongoURI.parse("mongodb://user:pw@a:1,b/db?replicaSet=rs"),
            .servers([MongoURI.Server(host: "a", port: 1), MongoURI.Server(host: "b", port: 27017)]))
        XCTAssertEqual(MongoURI.parse("mongodb+srv://u:p@cluster.example.net/db"), .srv(host: "cluster.example.net"))
        XCTAssertEqual(MongoURI.parse("postgres://x"), .invalid("does not start with mongodb:// or mongodb+srv://"))
        XCTAssertEqual(MongoURI.parse("mongodb://a:x"), .invalid("has a bad port in \"a:x\""))
    }
}
