import Foundation
import XCTest

/// The control socket: waiting clients, pipelined requests, clients that leave, answers at shutdown.
final class ControlSocketTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testClientLeavingWhileWaitingDoesNotMakeTheDaemonSpin() throws {
        let port = FomHarness.freePort()
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "slow", "kind": "process", "autostart": false, "port": \(port),
                  "ready": {"tcp": \(port)}, "readyTimeout": "60s", "command": ["sleep", "3022"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        // The start waits for a ready check that never passes; the client gives up after 1s.
        let start = h.fom("start", "slow", timeout: 1)
        XCTAssertEqual(start.code, -2, "the start should still be waiting")
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        let before = cpuTicks(daemon)
        usleep(500_000)
        let used = cpuTicks(daemon) - before
        XCTAssertLessThan(used, 15, "the daemon burned \(used) ticks in 0.5s after its client left")
        XCTAssertEqual(h.fom("ping").code, 0)
    }

    func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    func testPipelinedRequestsAreAllAnswered() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3023"]},
                                 {"name": "b", "kind": "process", "command": ["sleep", "3024"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let two = "{\"cmd\":\"stop\",\"targets\":[\"a\"]}\n{\"cmd\":\"stop\",\"targets\":[\"b\"]}\n"
        let answers = try h.rawExchange(Array(two.utf8), lines: 2)
        XCTAssertEqual(answers.split(separator: "\n").count, 2, answers)
        XCTAssertEqual(h.status("a"), "stopped")
        XCTAssertEqual(h.status("b"), "stopped")
    }

    func testKillAnswersClientsStillWaiting() throws {
        let port = FomHarness.freePort()
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "never", "kind": "process", "autostart": false, "ready": {"tcp": \(port)}, "command": ["sleep", "3044"]},
                    {"name": "child", "kind": "process", "autostart": false, "dependsOn": ["never"], "command": ["sleep", "3045"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        let start = try h.startInBackground(["start", "child"], stdout: "start.out", stderr: "start.err")
        h.waitUntil("waiting on the dependency") { h.status("never") == "starting" }
        XCTAssertEqual(h.fom("kill", timeout: 30).code, 0)
        h.waitUntil("the waiting start was answered") { !start.isRunning }
        XCTAssertEqual(start.terminationStatus, 1)
        XCTAssertTrue(h.read("start.err").contains("shut down"), h.read("start.err"))
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
