import Foundation
import XCTest

/// Commands run while no daemon runs: what they start, and what a dead daemon left behind.
final class NoDaemonTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testStopWithoutDaemonNeverStartsWhatItStops() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3027"]},
                                 {"name": "b", "kind": "process", "command": ["sleep", "3028"]} ] }
                """)
        harness = h
        let unknown = h.fom("stop", "nosuch")
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.err.contains("unknown instance \"nosuch\""), unknown.err)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")), "an unknown name started the daemon")
        let stop = h.fom("stop", "a")
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertTrue(stop.err.contains("started it"), "stop starts the daemon, as every changing command does")
        h.waitUntil("b online") { h.status("b") == "online" }
        XCTAssertEqual(h.status("a"), "stopped")
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains("a: started"), "a was started only to be stopped")
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3027"), [])
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

    func testListWithoutDaemonSaysTheNextDaemonAdoptsWhatStillRuns() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "kept", "kind": "process", "command": ["sleep", "3075"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let before = h.pid("kept") else { return XCTFail("no daemon or no pid") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        let list = h.fom("list")
        XCTAssertEqual(list.code, 0, list.err)
        XCTAssertTrue(list.out.contains("orphaned"), list.out)
        XCTAssertTrue(list.err.contains("kept still runs from its last run"), list.err)
        XCTAssertTrue(list.err.contains("the next daemon ('fom ping' starts it) adopts each one"), list.err)
        XCTAssertTrue(list.err.contains("any other it stops"), list.err)
        XCTAssertFalse(list.err.contains("which stops them"), list.err)
        let describe = h.fom("describe", "kept")
        XCTAssertTrue(describe.out.contains("orphaned") && describe.out.contains(String(before)), describe.out)
        XCTAssertTrue(describe.err.contains("adopts each one"), describe.err)
        // What the hint says is what happens: the same process, adopted, not restarted.
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("kept adopted") { h.status("kept") == "online" }
        XCTAssertEqual(h.pid("kept"), before)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3075"), [before])
    }

    func testColdStartRunsAOneShotOnceAndACrashLoopNoMoreThanItsBudget() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "once", "kind": "process", "restart": "never",
                     "command": ["/bin/sh", "-c", "echo ran >> once.txt"]},
                    {"name": "loop", "kind": "process", "maxRestarts": 3, "backoff": {"initial": "10ms", "max": "20ms"},
                     "command": ["/bin/sh", "-c", "echo ran >> loop.txt; exit 1"]} ] }
                """)
        harness = h
        h.fom("start", "once", "loop")
        h.waitUntil("both settled") { h.status("once") == "exited" && h.status("loop") == "errored" }
        XCTAssertEqual(h.read("once.txt"), "ran\n", "the daemon's start-up ran it; the client's start must not again")
        XCTAssertEqual(h.read("loop.txt").split(separator: "\n").count, 3)
    }
}
