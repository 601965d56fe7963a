import Foundation
import XCTest

/// Found by exploratory testing with the real stack, each reproduced before its fix.
final class UserTestingTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testKillWithoutDaemonStopsWhatADeadDaemonLeftRunning() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3070"]},
                                 {"name": "b", "kind": "process", "killTimeout": "1s",
                                  "command": ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.05; done"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        let kill = h.fom("kill", timeout: 30)
        XCTAssertEqual(kill.code, 0, kill.err)
        XCTAssertTrue(kill.out.contains("stopped") && kill.out.contains("needed SIGKILL"), kill.out)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3070"), [])
        XCTAssertFalse(h.fom("list").err.contains("still run"), "nothing of the old run is left")
    }

    func testRestartOfSeveralStopsDependentsFirstAndStartsDependenciesFirst() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "app", "kind": "process", "dependsOn": ["db"], "command": ["sleep", "3071"]},
                    {"name": "db", "kind": "process", "command": ["sleep", "3072"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let before = h.read(".fom/logs/fom.log").count
        let restart = h.fom("restart", "all")
        XCTAssertEqual(restart.code, 0, restart.err)
        XCTAssertEqual(h.status("app"), "online")
        XCTAssertEqual(h.status("db"), "online")
        let log = String(h.read(".fom/logs/fom.log").dropFirst(before))
        func at(_ text: String) -> String.Index { log.range(of: text)?.lowerBound ?? log.endIndex }
        XCTAssertLessThan(at("app: stopped by fom"), at("db: stopping"), log)
        XCTAssertLessThan(at("db: stopped by fom"), at("db: started"), log)
        XCTAssertLessThan(at("db: started"), at("app: started"), log)
    }

    func testBrokenConfigDoesNotLockOutTheRunningDaemon() throws {
        let good = """
            { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3073"]} ] }
            """
        let h = try FomHarness(config: good)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("supervisor.json", "{ \"instances\": [ ,] }")
        let list = h.fom("list")
        XCTAssertEqual(list.code, 0, list.err)
        XCTAssertTrue(list.out.contains("online"), list.out)
        XCTAssertTrue(list.err.contains("supervisor.json:1:") && list.err.contains("does not parse"), list.err)
        XCTAssertEqual(h.fom("logs", "a", "-n", "1").code, 0)
        XCTAssertEqual(h.fom("validate").code, 1, "validate still fails")
        XCTAssertEqual(h.fom("stop", "a").code, 0)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3073"), [])
        XCTAssertEqual(h.fom("kill").code, 0)
        let offline = h.fom("list")
        XCTAssertEqual(offline.code, 1, "without a daemon, the broken file is an error")
        XCTAssertTrue(offline.err.hasPrefix("supervisor.json:1:"), offline.err)
    }

    func testChangedConfigWarningFollowsContentAndExplainsUnknownNames() throws {
        let original = """
            { "instances": [ {"name": "review", "kind": "process", "command": ["sleep", "3074"]} ] }
            """
        let h = try FomHarness(config: original)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("supervisor.json", original.replacingOccurrences(of: "\"review\"", with: "\"reviewer\""))
        XCTAssertTrue(h.fom("list").err.contains("changed after the daemon read it"))
        let stop = h.fom("stop", "reviewer")
        XCTAssertEqual(stop.code, 1)
        XCTAssertTrue(
            stop.err.contains("unknown instance \"reviewer\"") && stop.err.contains("changed after the daemon read it"),
            stop.err)
        try h.write("supervisor.json", original)
        XCTAssertFalse(h.fom("list").err.contains("changed"), "the same content again: no warning")
    }
}
