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
}
