import Foundation
import XCTest

/// Start order across instances under the real daemon: nothing waits for a request to wake it.
final class DependencyOrderingTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testA250DeepChainComesFullyOnlineUnderTheDaemonWithNoRequest() throws {
        let count = 250
        let instances = (0..<count).map { i in
            let dependsOn = i + 1 < count ? #", "dependsOn": ["c\#(i + 1)"]"# : ""
            return
                #"{"name": "c\#(i)", "kind": "process"\#(dependsOn), "command": ["/bin/sh", "-c", "exec sleep 4301"]}"#
        }
        let h = try FomHarness(config: "{\"instances\": [\(instances.joined(separator: ",\n"))]}")
        harness = h
        try h.startInBackground(["daemon"], stdout: "daemon.stdout", stderr: "daemon.stderr")
        // Counted in /proc, not through the socket: a request would wake the loop.
        h.waitUntil("\(count) processes", timeout: 60) { FomHarness.pids(withToken: "sleep 4301").count == count }
        let rows = h.list()
        XCTAssertEqual(rows.values.filter { $0["status"] as? String == "online" }.count, count)
        let log = h.read(".fom/logs/fom.log")
        let first = log.range(of: "c\(count - 1): started pid")?.lowerBound
        let last = log.range(of: "c0: started pid")?.lowerBound
        XCTAssertNotNil(first)
        XCTAssertNotNil(last)
        if let first, let last { XCTAssertLessThan(first, last, "the deepest dependency starts first") }
    }
}
