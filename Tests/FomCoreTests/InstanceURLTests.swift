import FomCore
import FomProtocol
import XCTest

/// The `url` of `fom list`: where this host reaches an instance's port.
final class InstanceURLTests: XCTestCase {
    func info(port: Int?, address: String?) -> InstanceInfo {
        InstanceInfo(id: 0, name: "a", kind: "fiftyone", status: .online, port: port, address: address)
    }

    func testURLIsTheAddressAndPortAndEveryInterfaceShowsAsLoopback() {
        XCTAssertEqual(info(port: 5151, address: "127.0.0.1").url, "http://127.0.0.1:5151")
        XCTAssertEqual(info(port: 5151, address: "0.0.0.0").url, "http://127.0.0.1:5151")
        XCTAssertEqual(info(port: 5151, address: "10.1.2.3").url, "http://10.1.2.3:5151")
        XCTAssertEqual(info(port: 5151, address: "localhost").url, "http://localhost:5151")
        XCTAssertEqual(info(port: 5151, address: nil).url, "http://127.0.0.1:5151", "a daemon that does not say")
        XCTAssertNil(info(port: nil, address: "127.0.0.1").url)
    }

    func testJSONCarriesAddressAndURLBothWays() throws {
        let row = info(port: 5152, address: "0.0.0.0")
        XCTAssertEqual(row.json["url"], "http://127.0.0.1:5152")
        XCTAssertEqual(row.json["address"], "0.0.0.0")
        XCTAssertEqual(InstanceInfo(json: row.json), row)
        XCTAssertEqual(info(port: nil, address: nil).json["url"], .null)
    }
}
