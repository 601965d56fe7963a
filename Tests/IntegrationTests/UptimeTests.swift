import Foundation
import XCTest

/// Uptime counts from online: `-` while starting, then it only grows (no jump back to 0 when
/// the ready check passes).
final class UptimeTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testUptimeIsADashWhileStartingAndNeverGoesBack() throws {
        let port = FomHarness.freePort()
        let listener =
            "import socket,time; time.sleep(1.5); s=socket.socket(); "
            + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', \(port))); "
            + "s.listen(); time.sleep(3019)"
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "slow", "kind": "process", "port": \(port),
                  "command": ["python3", "-c", "\(listener)"], "ready": {"tcp": \(port)}}]}
                """)
        harness = h
        XCTAssertEqual(h.fom("start", "--no-wait").code, 0)
        var sawStarting = false
        var uptimes: [Int] = []
        h.waitUntil("slow online for a while", timeout: 30) {
            let result = h.fom("list", "--json")
            guard let rows = try? JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]],
                let row = rows.first
            else { return false }
            switch row["status"] as? String {
            case "starting":
                sawStarting = true
                XCTAssertTrue(row["uptimeMs"] is NSNull, "no uptime while starting: \(row)")
                let table = h.fom("list").out.split(separator: "\n").last ?? ""
                if table.contains("starting") {
                    let cells = table.split(separator: " ", omittingEmptySubsequences: true)
                    XCTAssertEqual(cells[5], "-", String(table))
                }
            case "online":
                if let up = row["uptimeMs"] as? Int { uptimes.append(up) }
            default: break
            }
            return uptimes.count >= 5
        }
        XCTAssertTrue(sawStarting, "the instance was seen starting")
        XCTAssertEqual(uptimes, uptimes.sorted(), "uptime never goes back: \(uptimes)")
        XCTAssertLessThan(uptimes.first ?? .max, 1400, "counted from online, not from the spawn: \(uptimes)")
    }
}
