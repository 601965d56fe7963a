import FomCore
import FomProtocol
import XCTest

/// The daemon's `list` rows leave out members that hold their default; the CLI reads them back
/// to the same rows, and `fom list --json` still prints every member.
final class InstanceInfoWireTests: XCTestCase {
    let rows = [
        InstanceInfo(id: 0, name: "mongodb", kind: "process", status: .stopped),
        // Zero is a value for the optional numbers: uptime 0 is "online just now", cpu 0.0 is a sample.
        InstanceInfo(
            id: 1, name: "annotate", kind: "fiftyone", status: .online, pid: 4242, uptimeMs: 0, restarts: 3,
            port: 5151, cvatSync: true, address: "0.0.0.0", cpuPercent: 0.0, memoryBytes: 0, cpuSeconds: 0.0),
        InstanceInfo(
            id: 7, name: "broken", kind: "process", status: .errored, reason: "exited with code 1",
            lastExit: "exited with code 1", nextTryMs: 1_700_000_000_000, history: ["a", "b"], logErrors: 2,
            lastLogError: "disk full", command: ["/bin/sh", "-c", "exit 1"], cwd: "/srv"),
    ]

    func testACompactRowReadsBackToTheSameRow() throws {
        for row in rows {
            let text = row.json(compact: true).serialized()
            XCTAssertEqual(InstanceInfo(json: try JSONValue(parsing: text)), row, text)
        }
    }

    func testACompactRowLeavesOutDefaultsOnly() throws {
        let stopped = rows[0].json(compact: true)
        XCTAssertEqual(stopped.objectValue?.keys, ["id", "name", "kind", "status"])
        XCTAssertNil(stopped["pid"])
        XCTAssertNil(stopped["restarts"])
        let online = rows[1].json(compact: true)
        XCTAssertEqual(online["uptimeMs"]?.intValue, 0)
        XCTAssertEqual(online["cpuPercent"]?.doubleValue, 0.0)
        XCTAssertEqual(online["memoryBytes"]?.intValue, 0)
        XCTAssertEqual(online["restarts"]?.intValue, 3)
        XCTAssertEqual(online["cvatSync"]?.boolValue, true)
    }

    func testTheFullRowHasEveryMember() {
        let full = rows[0].json
        for key in ["pid", "uptimeMs", "restarts", "reason", "history", "cwd", "url", "cpuPercent", "memoryBytes"] {
            XCTAssertNotNil(full[key], key)
        }
        XCTAssertEqual(full["pid"], .null)
    }
}
