import Foundation
import XCTest

/// Regressions from the third review, each reproduced against the real daemon before its fix.
final class ThirdReviewTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testDependencyThatEndsDuringShutdownIsNotStartedAgain() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "dep", "kind": "process", "minUptime": "100ms",
                     "command": ["/bin/sh", "-c", "trap '' TERM; while [ ! -f go ]; do sleep 0.02; done"]},
                    {"name": "app", "kind": "process", "dependsOn": ["dep"], "killTimeout": "3s",
                     "command": ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        // app ignores SIGTERM, so dep waits its turn to be stopped; meanwhile dep ends on its own.
        let kill = try h.startInBackground(["kill"], stdout: "kill.out")
        h.waitUntil("shutdown began") { h.read(".fom/logs/fom.log").contains("shutting down") }
        try h.write("go", "")
        h.waitUntil("the daemon is down", timeout: 30) { !kill.isRunning }
        let log = h.read(".fom/logs/fom.log")
        let shutdown = log.range(of: "shutting down")!.lowerBound
        XCTAssertTrue(log[shutdown...].contains("dep: exited with code 0"), log)
        XCTAssertNil(log[shutdown...].range(of: "dep: started"), log)
    }

    func testStartAndStopTogetherWithNoDaemonBothSucceed() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "w", "kind": "process", "command": ["sleep", "3060"]},
                                 {"name": "v", "kind": "process", "command": ["sleep", "3061"]} ] }
                """)
        harness = h
        for round in 0..<4 {
            let start = try h.startInBackground(
                ["start", "v"], stdout: "start-\(round).out", stderr: "start-\(round).err")
            let stop = try h.startInBackground(["stop", "w"], stdout: "stop-\(round).out", stderr: "stop-\(round).err")
            h.waitUntil("both commands returned", timeout: 30) { !start.isRunning && !stop.isRunning }
            XCTAssertEqual(start.terminationStatus, 0, h.read("start-\(round).err"))
            XCTAssertEqual(stop.terminationStatus, 0, h.read("stop-\(round).err"))
            XCTAssertEqual(h.status("w"), "stopped")
            XCTAssertEqual(h.status("v"), "online")
            XCTAssertEqual(h.fom("kill").code, 0)
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")),
                "a daemon that lost the start-up race took over after the kill")
        }
    }

    func testStopWithoutWaitingShowsTheStopUnderWay() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "w", "kind": "process",
                  "command": ["/bin/sh", "-c", "trap 'sleep 0.5; exit 0' TERM; while true; do sleep 0.05; done"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let stop = h.fom("stop", "w", "--no-wait", "--json")
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertTrue(stop.out.contains("\"status\":\"stopping\""), stop.out)
        h.waitUntil("stopped") { h.status("w") == "stopped" }
    }
}
