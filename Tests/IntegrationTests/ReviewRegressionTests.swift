import Foundation
import XCTest

/// Regressions found in review: each was reproduced against the real daemon before the fix.
final class ReviewRegressionTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

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

    func testClientLeavingWhileWaitingDoesNotMakeTheDaemonSpin() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "slow", "kind": "process", "autostart": false, "port": \(21_000 + Int(getpid() % 900)),
                  "ready": {"tcp": \(21_000 + Int(getpid() % 900))}, "readyTimeout": "60s", "command": ["sleep", "3022"]} ] }
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

    func testMarkerInheritedByTheCLIIsNotHandedOn() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3025"]},
                                 {"name": "b", "kind": "process", "command": ["sleep", "3026"]} ] }
                """)
        harness = h
        h.extraEnvironment["FOM_TREE"] = "0123456789abcdef/a"
        XCTAssertEqual(h.fom("start").code, 0)
        let env = h.fom("env", "b").out
        XCTAssertFalse(env.contains("FOM_TREE=0123456789abcdef/a"), env)
        XCTAssertTrue(env.contains("FOM_TREE=") && env.contains("/b\n"), env)
        XCTAssertEqual(h.fom("stop", "a").code, 0)
        XCTAssertEqual(h.status("b"), "online", "stopping a must not touch b")
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

    func testFollowLosesNoLineAcrossManyRotations() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "8K", "keep": 3 },
                  "instances": [ {"name": "pacer", "kind": "process", "autostart": false, "restart": "never",
                                  "command": ["python3", "-u", "pace.py"]} ] }
                """)
        harness = h
        try h.write(
            "pace.py",
            """
            import sys, time
            for burst in range(40):
                sys.stdout.write("".join(f"{burst * 500 + i + 1}\\n" for i in range(500)))
                sys.stdout.flush()
                time.sleep(0.02)
            """)
        XCTAssertEqual(h.fom("ping").code, 0)
        try h.startInBackground(["logs", "pacer", "--out", "-f", "-n", "0"], stdout: "follow.txt")
        h.fom("start", "pacer")
        h.waitUntil("the follower printed the last line", timeout: 30) { h.read("follow.txt").contains("| 20000\n") }
        let numbers = h.read("follow.txt").split(separator: "\n").compactMap {
            Int($0.split(separator: "|").last!.trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(numbers.count, 20000)
        XCTAssertEqual(numbers, Array(1...20000), "lines skipped or repeated across rotations")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path(".fom/logs/pacer.out.log.3")), "rotated many times")
    }
}
