import Foundation
import XCTest

/// Issue 3's "must show", each against the real daemon and real children.
final class DaemonLifecycleTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func make(_ instances: String) throws -> FomHarness {
        harness = try FomHarness(config: "{ \"instances\": [\(instances)] }")
        return harness
    }

    func testStableChildKilledWithSigkillComesBackWithNewPid() throws {
        let h = try make(
            """
            {"name": "stable", "kind": "process", "minUptime": "200ms",
             "command": ["/bin/sh", "-c", "exec sleep 3001"]}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let first = h.pid("stable") else { return XCTFail("no pid: \(h.list())") }
        // Past minUptime the run counts as stable.
        h.waitUntil("uptime past minUptime") { (h.list()["stable"]?["uptimeMs"] as? Int ?? 0) >= 300 }
        kill(first, SIGKILL)
        h.waitUntil("a new pid online") { h.status("stable") == "online" && (h.pid("stable") ?? first) != first }
        XCTAssertEqual(h.list()["stable"]?["restarts"] as? Int, 1)
        XCTAssertTrue(
            h.read(".fom/logs/fom.log").contains("killed by signal 9 (SIGKILL); restarting now"),
            h.read(".fom/logs/fom.log"))
    }

    func testCrashLoopEndsErroredWithGrowingDelaysAndNoIdleWakeups() throws {
        let h = try make(
            """
            {"name": "crasher", "kind": "process", "autostart": false, "maxRestarts": 4, "backoff": {"initial": "300ms", "max": "10s"},
             "command": ["/bin/sh", "-c", "echo boom >&2; exit 3"]}
            """)
        h.fom("start", "crasher", "--no-wait")
        // While it waits in backoff, the daemon must sleep: no context switches without events.
        h.waitUntil("backoff before the third try") {
            h.status("crasher") == "backoff" && h.read(".fom/logs/fom.log").contains("failed start 3 of 4")
        }
        if let daemon = h.daemonPid() {
            let before = contextSwitches(daemon)
            // The last delay is 1.2s; sample well inside it.
            usleep(400_000)
            let after = contextSwitches(daemon)
            if h.status("crasher") == "backoff"
                && h.read(".fom/logs/fom.log").components(separatedBy: "failed start 3 of 4").count == 2
            {
                XCTAssertLessThanOrEqual(after - before, 1, "the daemon woke up while nothing happened")
            }
        }
        h.waitUntil("errored", timeout: 30) { h.status("crasher") == "errored" }
        let log = h.read(".fom/logs/fom.log")
        let delays = log.components(separatedBy: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "restarting in ") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != " " })
        }
        XCTAssertEqual(delays, ["300ms", "600ms", "1.2s"], log)
        XCTAssertTrue(log.contains("gave up after 4 failed starts in a row (last: exited with code 3)"), log)
        XCTAssertEqual(
            h.list()["crasher"]?["reason"] as? String,
            "gave up after 4 failed starts in a row (last: exited with code 3)")
    }

    /// A small command fits in what malloc already holds, so it schedules no look at the heap
    /// (Supervisor+Heap): once it is answered and its connection closed, the daemon sleeps.
    func testASmallCommandLeavesTheDaemonAsleepOnceAnswered() throws {
        let h = try make(
            """
            {"name": "a", "kind": "process", "command": ["/bin/sleep", "3003"]},
            {"name": "b", "kind": "process", "command": ["/bin/sleep", "3004"]}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        // Start-up grew the heap and scheduled a look: wait until the daemon has been quiet for
        // longer than the look's delay.
        var last = contextSwitches(daemon)
        var quietSince = Date()
        h.waitUntil("the daemon quiet for 1.5 s after start-up", timeout: 30) {
            let now = contextSwitches(daemon)
            if now != last { (last, quietSince) = (now, Date()) }
            return Date().timeIntervalSince(quietSince) > 1.5
        }
        for _ in 0..<3 { XCTAssertEqual(h.fom("list").code, 0) }
        // The answer and the close of the connection are the daemon's last events; a look at the
        // heap would come a second after them. The window opens once the close is surely handled
        // and spans that second.
        usleep(300_000)
        let before = contextSwitches(daemon)
        usleep(1_300_000)
        XCTAssertEqual(contextSwitches(daemon) - before, 0, "the daemon woke up after a small command")
    }

    /// The start of a small daemon grows its heap by less than a look could give back
    /// (Supervisor+Heap): once its instances are online and the last answer is sent, nothing
    /// wakes it.
    func testASmallDaemonSleepsOnceItsInstancesAreOnline() throws {
        let h = try make(
            """
            {"name": "a", "kind": "process", "minUptime": "100ms", "command": ["/bin/sleep", "3005"]},
            {"name": "b", "kind": "process", "minUptime": "100ms", "command": ["/bin/sleep", "3006"]}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        h.waitUntil("both instances online", timeout: 30) { h.status("a") == "online" && h.status("b") == "online" }
        // The window opens once the last answer's close is surely handled and the instances'
        // 100 ms stability timers are past, and it spans the look's second.
        usleep(300_000)
        let before = contextSwitches(daemon)
        usleep(1_300_000)
        XCTAssertEqual(contextSwitches(daemon) - before, 0, "the daemon woke up after its start-up")
    }

    func contextSwitches(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { $0.contains("ctxt_switches") }
            .compactMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }

    func testStopKillsGrandchildThatLeftTheSessionAndIgnoresSigterm() throws {
        let h = try make(
            """
            {"name": "tree", "kind": "process", "killTimeout": "1s", "command": ["python3", "child.py"]}
            """)
        try h.write(
            "child.py",
            """
            import os, signal, sys, time
            pid = os.fork()
            if pid == 0:
                os.setsid()
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                open("grandchild.pid", "w").write(str(os.getpid()))
                os.execvp("sleep", ["sleep", "3002"])
            while True:
                time.sleep(1000)
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("grandchild started") { !h.read("grandchild.pid").isEmpty }
        let grandchild = Int32(h.read("grandchild.pid"))!
        let child = h.pid("tree")!
        XCTAssertTrue(FomHarness.isAlive(grandchild))
        let stop = h.fom("stop", "tree")
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertFalse(FomHarness.isAlive(child), "the child survived the stop")
        XCTAssertFalse(FomHarness.isAlive(grandchild), "the grandchild in its own session survived the stop")
        XCTAssertEqual(h.status("tree"), "stopped")
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("SIGKILL"), h.read(".fom/logs/fom.log"))
    }

    func testDaemonKilledWithSigkillThenPingRunsEachInstanceOnceAndStoppedStayStopped() throws {
        let h = try make(
            """
            {"name": "a", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3003"]},
            {"name": "b", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3004"]},
            {"name": "c", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3005"]}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(h.fom("stop", "c").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon pid") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        let ping = h.fom("ping")
        XCTAssertEqual(ping.code, 0, ping.err)
        XCTAssertTrue(ping.err.contains("started it"), ping.err)
        h.waitUntil("a and b online again") { h.status("a") == "online" && h.status("b") == "online" }
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3003").count, 1)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3004").count, 1)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3005").count, 0, "a stopped instance came back")
        XCTAssertEqual(h.status("c"), "stopped")
    }

    func testEnvComesFromProcAndWarnsAfterEnvFileChangesUntilRestart() throws {
        let h = try make(
            """
            {"name": "app", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3006"]}
            """)
        try h.write(".env", "GREETING=hello\nAPI_TOKEN=s3cr3t-value\n")
        XCTAssertEqual(h.fom("start").code, 0)
        var env = h.fom("env", "app")
        XCTAssertEqual(env.code, 0, env.err)
        XCTAssertTrue(env.out.contains("GREETING=hello\n"), env.out)
        XCTAssertTrue(env.out.contains("API_TOKEN=********\n"), env.out)
        XCTAssertTrue(env.out.contains("FOM_NAME=app\n"), env.out)
        XCTAssertFalse(env.err.contains("warning"), env.err)
        XCTAssertTrue(h.fom("env", "app", "--reveal").out.contains("API_TOKEN=s3cr3t-value\n"))

        try h.write(".env", "GREETING=bonjour\nAPI_TOKEN=s3cr3t-value\n")
        env = h.fom("env", "app")
        XCTAssertTrue(env.out.contains("GREETING=hello\n"), "the running process still has the old value")
        XCTAssertTrue(env.err.contains("warning") && env.err.contains("GREETING"), env.err)

        XCTAssertEqual(h.fom("restart", "app").code, 0)
        env = h.fom("env", "app")
        XCTAssertTrue(env.out.contains("GREETING=bonjour\n"), env.out)
        XCTAssertFalse(env.err.contains("warning"), env.err)
    }

    func testGarbageAndOversizedLinesGetErrorsWhilePingStillWorks() throws {
        let h = try make(
            """
            {"name": "x", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3007"]}
            """)
        XCTAssertEqual(h.fom("ping").code, 0)
        let garbage = try h.rawExchange(Array("this is not json\n".utf8))
        XCTAssertTrue(garbage.contains("\"ok\":false") && garbage.contains("invalid JSON"), garbage)
        let unknown = try h.rawExchange(Array("{\"cmd\":\"explode\"}\n".utf8))
        XCTAssertTrue(unknown.contains("unknown command"), unknown)
        var big = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
        big.append(10)
        let oversized = try h.rawExchange(big)
        XCTAssertTrue(oversized.contains("longer than 1 MiB"), oversized)
        let ping = h.fom("ping")
        XCTAssertEqual(ping.code, 0, ping.err)
        XCTAssertTrue(ping.out.hasPrefix("pong"), ping.out)
    }

    func testPortHeldByAnotherProcessMakesInstanceErroredNamingThePid() throws {
        let port = FomHarness.freePort()
        let h = try make(
            """
            {"name": "web", "kind": "process", "port": \(port), "command": ["/bin/sh", "-c", "exec sleep 3008"]}
            """)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', \(port)))\ns.listen()\nopen('held','w').write('1')\ntime.sleep(120)",
        ]
        holder.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        try holder.run()
        defer { holder.terminate() }
        h.waitUntil("the port is held") { h.read("held") == "1" }
        let start = h.fom("start", "web")
        XCTAssertEqual(start.code, 1)
        XCTAssertEqual(h.status("web"), "errored")
        let reason = h.list()["web"]?["reason"] as? String ?? ""
        XCTAssertTrue(reason.hasPrefix("port \(port) is in use by PID "), reason)
        XCTAssertTrue(start.err.contains("port \(port) is in use by PID"), start.err)
        XCTAssertTrue(reason.contains("python"), reason)
    }
}
