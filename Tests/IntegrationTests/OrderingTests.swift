import Foundation
import XCTest

/// Cross-instance ordering under the real daemon: start order, ordered stop and restart, shutdown,
/// and which word wins when two meet.
final class OrderingTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// Takes about a second to exit on SIGTERM.
    static let slowToStop = #"["/bin/sh", "-c", "trap 'sleep 1; exit 0' TERM; while true; do sleep 0.05; done"]"#

    func testStoppingADependencyAloneFinishesAndLeavesTheDependentRunning() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "app", "kind": "process", "dependsOn": ["db"], "command": ["sleep", "3020"]},
                    {"name": "db", "kind": "process", "command": ["sleep", "3021"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let stop = h.fom("stop", "db", timeout: 20)
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertEqual(h.status("db"), "stopped")
        XCTAssertEqual(h.status("app"), "online")
        XCTAssertEqual(h.fom("start", "db").code, 0)
        XCTAssertEqual(h.status("db"), "online", "a start clears any pending stop")
    }

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
        let port = FomHarness.freePort()
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
