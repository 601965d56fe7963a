import FomWeb
import XCTest

final class WebSecurityTests: XCTestCase {
    let security = WebSecurity(token: "t0k", address: "127.0.0.1", port: 9001)

    func request(_ method: String, _ target: String, _ headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(
            method: method, target: target, version: "HTTP/1.1", headers: headers.map { ($0.0, $0.1) }, body: [])
    }

    func testNoTokenIsRefused() {
        XCTAssertEqual(
            security.check(request("GET", "/", [("Host", "127.0.0.1:9001")])),
            .refused(
                status: 401, reason: "a token is required: open the URL fom ui printed, or send Authorization: Bearer"))
        guard case .refused(401, _) = security.check(request("GET", "/?token=wrong", [("Host", "127.0.0.1:9001")]))
        else {
            return XCTFail("a wrong token must be refused")
        }
    }

    func testTheTokenInTheURLBecomesACookieAndARedirect() {
        XCTAssertEqual(
            security.check(request("GET", "/?token=t0k", [("Host", "localhost:9001")])), .setCookie(redirect: "/"))
        XCTAssertTrue(security.cookie.contains("HttpOnly"))
        XCTAssertTrue(security.cookie.contains("SameSite=Strict"))
        XCTAssertEqual(
            security.check(request("GET", "/", [("Host", "127.0.0.1:9001"), ("Cookie", "fom_token=t0k")])), .allowed)
        XCTAssertEqual(
            security.check(request("GET", "/api/list", [("Host", "127.0.0.1:9001"), ("Authorization", "Bearer t0k")])),
            .allowed)
    }

    func testTheBearerSchemeIsCaseInsensitiveAndTheHeaderNameToo() {
        for (name, value) in [
            ("Authorization", "bearer t0k"), ("Authorization", "BEARER t0k"), ("authorization", "Bearer  t0k "),
            ("AUTHORIZATION", "bEaReR t0k"),
        ] {
            XCTAssertEqual(
                security.check(request("GET", "/api/list", [("Host", "127.0.0.1:9001"), (name, value)])), .allowed,
                "\(name): \(value)")
        }
        for value in ["Bearer", "Bearer ", "Basic t0k", "Bearert0k", "bearer wrong"] {
            guard
                case .refused(401, _) = security.check(
                    request("GET", "/api/list", [("Host", "127.0.0.1:9001"), ("Authorization", value)]))
            else { return XCTFail("\(value) must be refused") }
        }
    }

    func testAnotherHostIsRefusedEvenWithTheToken() {
        guard
            case .refused(421, _) = security.check(
                request("GET", "/", [("Host", "evil.example:9001"), ("Cookie", "fom_token=t0k")]))
        else {
            return XCTFail("a rebound DNS name must be refused")
        }
    }

    func testOnEveryInterfaceAnIPLiteralHostIsServedAndANameIsNot() {
        let wide = WebSecurity(token: "t0k", address: "0.0.0.0", port: 9001)
        let auth = ("Authorization", "Bearer t0k")
        XCTAssertEqual(wide.check(request("GET", "/api/list", [("Host", "192.168.1.5:9001"), auth])), .allowed)
        XCTAssertEqual(
            wide.check(
                request(
                    "POST", "/api/restart/a",
                    [("Host", "192.168.1.5:9001"), auth, ("Origin", "http://192.168.1.5:9001")])),
            .allowed)
        guard case .refused(421, _) = wide.check(request("GET", "/", [("Host", "rebound.example:9001"), auth])) else {
            return XCTFail("a name must be refused")
        }
        guard case .refused(421, _) = wide.check(request("GET", "/", [("Host", "192.168.1.5:9002"), auth])) else {
            return XCTFail("another port must be refused")
        }
    }

    func testAChangeNeedsPOSTAndAMatchingOriginOrTheCustomHeader() {
        let auth = [("Host", "127.0.0.1:9001"), ("Cookie", "fom_token=t0k")]
        guard case .refused(403, _) = security.check(request("POST", "/api/restart/a", auth)) else {
            return XCTFail("a POST with neither Origin nor X-Fom must be refused")
        }
        guard
            case .refused(403, _) = security.check(
                request("POST", "/api/restart/a", auth + [("Origin", "http://evil.example"), ("X-Fom", "1")]))
        else {
            return XCTFail("a foreign Origin must be refused")
        }
        XCTAssertEqual(
            security.check(request("POST", "/api/restart/a", auth + [("Origin", "http://127.0.0.1:9001")])), .allowed)
        XCTAssertEqual(security.check(request("POST", "/api/restart/a", auth + [("X-Fom", "1")])), .allowed)
        guard case .refused(405, _) = security.check(request("DELETE", "/api/remove/a", auth + [("X-Fom", "1")])) else {
            return XCTFail("only GET and POST")
        }
    }
}
