import Foundation
import XCTest

/// Regressions from the second review, each reproduced against the real daemon before its fix.
final class SecondReviewTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// Takes about a second to exit on SIGTERM.
    static let slowToStop = #"["/bin/sh", "-c", "trap 'sleep 1; exit 0' TERM; while true; do sleep 0.05; done"]"#

    func testStopOvertakenByRestartIsAnswered() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "slow", "kind": "process", "command": \(Self.slowToStop)} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let stop = try h.startInBackground(["stop", "slow"], stdout: "stop.out")
        h.waitUntil("stopping") { h.status("slow") == "stopping" }
        let restart = h.fom("restart", "slow", timeout: 30)
        XCTAssertEqual(restart.code, 0, restart.err)
        XCTAssertEqual(h.status("slow"), "online")
        h.waitUntil("the overtaken stop returned", timeout: 15) { !stop.isRunning }
    }

    func testRestartStartsAStoppedDependencyInsteadOfFailing() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "s1", "kind": "process", "command": ["sleep", "3041"]},
                                 {"name": "s2", "kind": "process", "dependsOn": ["s1"], "command": ["sleep", "3042"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(h.fom("stop", "s1").code, 0)
        let restart = h.fom("restart", "s2")
        XCTAssertEqual(restart.code, 0, restart.err)
        XCTAssertEqual(h.status("s1"), "online")
        XCTAssertEqual(h.status("s2"), "online")
    }

    func testShutdownDuringARestartDoesNotSpawnAgain() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "s1", "kind": "process", "command": ["sleep", "3043"]},
                                 {"name": "s2", "kind": "process", "dependsOn": ["s1"], "command": \(Self.slowToStop)} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(h.fom("restart", "s1", "--no-wait").code, 0)
        XCTAssertEqual(h.fom("kill", timeout: 30).code, 0)
        let log = h.read(".fom/logs/fom.log")
        let shutdown = log.range(of: "shutting down")!.lowerBound
        XCTAssertNil(log[shutdown...].range(of: "started pid"), log)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3043"), [])
    }

    func testRenamedInstanceWaitsForTheOldRunToLeaveItsPort() throws {
        let port = 22_000 + Int(getpid() % 900)
        let server = #"["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"]"#
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "srv", "kind": "process", "port": \(port), "ready": {"http": "/"}, "command": \(server)} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let old = h.pid("srv")!
        kill(h.daemonPid()!, SIGKILL)
        h.waitUntil("the daemon is gone") { h.fom("list").err.contains("not running") }
        try h.write(
            "supervisor.json",
            """
            { "instances": [ {"name": "srv3", "kind": "process", "port": \(port), "ready": {"http": "/"}, "command": \(server)} ] }
            """)
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("srv3 online on the port the old run held") { h.status("srv3") == "online" }
        XCTAssertFalse(FomHarness.isAlive(old))
        XCTAssertFalse(h.read(".fom/state.json").contains("\"srv\""), "the removed name keeps no up/down word")
    }

    func testKillAnswersClientsStillWaiting() throws {
        let port = 22_900 + Int(getpid() % 90)
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

    func testEnvDriftIgnoresWhatAWrapperChangedItself() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "wrapped", "kind": "process",
                  "command": ["/bin/sh", "-c", "export WRAPPER_ADDED=1; exec sleep 3046"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let env = h.fom("env", "wrapped")
        XCTAssertTrue(env.out.contains("WRAPPER_ADDED=1"), "the real environment, from /proc")
        XCTAssertFalse(env.err.contains("warning"), env.err)
    }

    func testChangedConfigIsPointedOut() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3047"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertFalse(h.fom("env", "a").err.contains("changed"))
        // Two CLI runs (milliseconds each) already separate the daemon's read from this write.
        try h.write(
            "supervisor.json",
            """
            { "instances": [ {"name": "a", "kind": "process", "env": {"NEW": "1"}, "command": ["sleep", "3047"]} ] }
            """)
        let env = h.fom("env", "a")
        XCTAssertTrue(env.err.contains("changed after the daemon read it"), env.err)
        XCTAssertTrue(h.fom("restart", "a").err.contains("changed after the daemon read it"))
    }
}
