import Foundation
import XCTest

/// `fom upgrade` against the real daemon and real children: the daemon execs a binary in its own
/// process and hands it its whole state, so instances, pids, counters, deadlines and log lines
/// all go on as if nothing happened.
final class DaemonUpgradeTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func make(_ instances: String) throws -> FomHarness {
        harness = try FomHarness(config: "{ \"instances\": [\(instances)] }")
        return harness
    }

    /// A child that prints 1, 2, 3, ... every 5 ms.
    static let counter = """
        {"name": "counter", "kind": "process", "command": ["python3", "-u", "-c",
         "import itertools, time\\nfor i in itertools.count(1):\\n    print(i, flush=True)\\n    time.sleep(0.005)"]}
        """

    /// The counter's log has every number from 1 to its last, once each and in order.
    func assertNoGapNoDuplicate(_ h: FomHarness, file: StaticString = #filePath, line: UInt = #line) {
        let numbers = h.read(".fom/logs/counter.out.log").split(separator: "\n").map { Int($0) }
        XCTAssertFalse(numbers.isEmpty, file: file, line: line)
        XCTAssertFalse(numbers.contains(nil), "a line that is not a whole number", file: file, line: line)
        let values = numbers.compactMap { $0 }
        XCTAssertEqual(
            values, Array(1...max(values.count, 1)), "gap or duplicate in the counter's log", file: file, line: line)
    }

    func counterLines(_ h: FomHarness) -> Int { h.read(".fom/logs/counter.out.log").split(separator: "\n").count }

    func testUpgradeKeepsTheDaemonAndInstancePidsAndLosesNoLine() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        h.waitUntil("the counter has printed") { counterLines(h) > 50 }
        for round in 1...3 {
            let upgrade = h.fom("upgrade")
            XCTAssertEqual(upgrade.code, 0, upgrade.err)
            XCTAssertTrue(upgrade.out.contains("upgraded: daemon pid \(daemon)"), upgrade.out)
            XCTAssertEqual(h.daemonPid(), daemon, "round \(round)")
            XCTAssertEqual(h.pid("counter"), child, "round \(round)")
            let seen = counterLines(h)
            h.waitUntil("the counter's lines still arrive") { counterLines(h) > seen + 20 }
        }
        let ping = h.fom("ping")
        XCTAssertTrue(ping.out.contains("version "), ping.out)
        XCTAssertTrue(ping.out.contains("re-executed"), ping.out)
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("daemon re-executed"), h.read(".fom/logs/fom.log"))
        XCTAssertEqual(h.fom("stop", "counter").code, 0)
        XCTAssertEqual(h.list()["counter"]?["restarts"] as? Int, 0)
        assertNoGapNoDuplicate(h)
    }

    func testCrashLoopAndBackoffKeepTheirCountsAndDeadlinesAcrossTheUpgrade() throws {
        let h = try make(
            """
            {"name": "waiter", "kind": "process", "maxRestarts": 20, "backoff": {"initial": "4s", "max": "30s"},
             "command": ["/bin/sh", "-c", "exit 3"]},
            {"name": "looper", "kind": "process", "maxRestarts": 1000, "backoff": {"initial": "50ms", "max": "50ms"},
             "command": ["/bin/sh", "-c", "exit 4"]}
            """)
        XCTAssertEqual(h.fom("start", "--no-wait").code, 0)
        h.waitUntil("waiter in backoff after its first failed start") {
            h.status("waiter") == "backoff" && (h.list()["looper"]?["restarts"] as? Int ?? 0) >= 3
        }
        let before = h.list()
        guard let nextTry = before["waiter"]?["nextTryMs"] as? Int, let loops = before["looper"]?["restarts"] as? Int
        else { return XCTFail("\(before)") }
        XCTAssertEqual(before["waiter"]?["restarts"] as? Int, 1)
        let upgrade = h.fom("upgrade")
        XCTAssertEqual(upgrade.code, 0, upgrade.err)
        let after = h.list()
        XCTAssertEqual(after["waiter"]?["status"] as? String, "backoff")
        XCTAssertEqual(after["waiter"]?["restarts"] as? Int, 1)
        // The retry is due when it was due (the wall clock shown moves by rounding only).
        let nextTryAfter = after["waiter"]?["nextTryMs"] as? Int ?? 0
        XCTAssertLessThan(abs(nextTryAfter - nextTry), 250, "next try moved from \(nextTry) to \(nextTryAfter)")
        XCTAssertGreaterThanOrEqual(after["looper"]?["restarts"] as? Int ?? 0, loops)
        // The loop goes on counting from where it was, and the waiter's retry comes at its time.
        h.waitUntil("looper keeps restarting") { (h.list()["looper"]?["restarts"] as? Int ?? 0) > loops + 3 }
        h.waitUntil("waiter retried once its backoff ran out", timeout: 15) {
            (h.list()["waiter"]?["restarts"] as? Int ?? 0) == 2
        }
        let history = h.fom("describe", "waiter")
        XCTAssertEqual(history.out.components(separatedBy: "exited with code 3").count - 1, 3, history.out)
    }

    func testAWaitingRestartClientGetsItsAnswer() throws {
        let port = FomHarness.freePort()
        let h = try make(
            """
            {"name": "slow", "kind": "process", "ready": {"tcp": \(port)}, "readyTimeout": "30s",
             "command": ["python3", "-c",
              "import socket, time\\ntime.sleep(1.5)\\ns = socket.socket()\\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\\ns.bind(('127.0.0.1', \(port)))\\ns.listen()\\ntime.sleep(3600)"]}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let first = h.pid("slow"), let daemon = h.daemonPid() else { return XCTFail("\(h.list())") }
        let restart = try h.startInBackground(["restart", "slow"], stdout: "restart.out", stderr: "restart.err")
        h.waitUntil("the restart is under way") { h.status("slow") == "starting" && h.pid("slow") != first }
        let upgrade = h.fom("upgrade")
        XCTAssertEqual(upgrade.code, 0, upgrade.err)
        h.waitUntil("the restart client has its answer") { !restart.isRunning }
        XCTAssertEqual(restart.terminationStatus, 0, h.read("restart.err"))
        XCTAssertTrue(h.read("restart.out").contains("online"), h.read("restart.out"))
        XCTAssertEqual(h.daemonPid(), daemon)
        XCTAssertEqual(h.status("slow"), "online")
    }

    func testABinaryThatRefusesTheStateLeavesTheOldDaemonRunningEverything() throws {
        let h = try make(Self.counter)
        // Test-only: the daemon that takes a handed state refuses it.
        h.extraEnvironment["FOM_TEST_REFUSE_HANDOVER"] = "1"
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        h.waitUntil("the counter has printed") { counterLines(h) > 50 }
        let upgrade = h.fom("upgrade")
        XCTAssertEqual(upgrade.code, 1)
        XCTAssertTrue(upgrade.err.contains("refused the handed state"), upgrade.err)
        XCTAssertTrue(upgrade.err.contains("FOM_TEST_REFUSE_HANDOVER"), upgrade.err)
        XCTAssertEqual(h.daemonPid(), daemon)
        XCTAssertEqual(h.pid("counter"), child)
        XCTAssertEqual(h.status("counter"), "online")
        XCTAssertFalse(h.fom("ping").out.contains("re-executed"))
        let seen = counterLines(h)
        h.waitUntil("the counter's lines still arrive") { counterLines(h) > seen + 20 }
        XCTAssertEqual(h.fom("stop", "counter").code, 0)
        assertNoGapNoDuplicate(h)
    }

    func testUpgradeToAPathThatIsNotABinaryChangesNothing() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        try h.write("not-a-binary", "just text\n")
        let upgrade = h.fom("upgrade", "--binary", "not-a-binary")
        XCTAssertEqual(upgrade.code, 1)
        XCTAssertTrue(upgrade.err.contains("not an executable file"), upgrade.err)
        XCTAssertEqual(h.pid("counter"), child)
    }

    /// An upgrade the daemon refuses before its exec: exit 1 with one line that names the
    /// binary and what is wrong; the daemon, its pid and every instance's pid stay as they were.
    func assertUpgradeRefused(
        _ h: FomHarness, _ binary: String, saying reason: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else {
            return XCTFail("\(h.list())", file: file, line: line)
        }
        let upgrade = h.fom("upgrade", "--binary", binary)
        XCTAssertEqual(upgrade.code, 1, upgrade.out + upgrade.err, file: file, line: line)
        let said = upgrade.err.split(separator: "\n")
        XCTAssertEqual(said.count, 1, upgrade.err, file: file, line: line)
        XCTAssertTrue(upgrade.err.contains(binary), upgrade.err, file: file, line: line)
        XCTAssertTrue(upgrade.err.contains(reason), upgrade.err, file: file, line: line)
        XCTAssertEqual(h.daemonPid(), daemon, file: file, line: line)
        XCTAssertEqual(h.fom("list").code, 0, file: file, line: line)
        XCTAssertEqual(h.pid("counter"), child, file: file, line: line)
        XCTAssertEqual(h.status("counter"), "online", file: file, line: line)
    }

    func testUpgradeToAProgramThatIsNotFomIsRefusedBeforeTheExec() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        assertUpgradeRefused(h, "/bin/true", saying: "is not a fom that can take the daemon's state")
        // A program that prints something else and fails.
        assertUpgradeRefused(h, "/bin/false", saying: "exit code 1")
        let seen = counterLines(h)
        h.waitUntil("the counter's lines still arrive") { counterLines(h) > seen + 20 }
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains("upgrading: exec"), h.read(".fom/logs/fom.log"))
    }

    func testUpgradeToAProgramThatHangsIsRefusedAtTheProbesDeadline() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("hangs", "#!/bin/sh\nexec sleep 600\n")
        chmod(h.path("hangs"), 0o755)
        assertUpgradeRefused(h, h.path("hangs"), saying: "did not end within")
        XCTAssertTrue(FomHarness.pids(withToken: "sleep 600").isEmpty, "the hung probe is killed")
    }

    func testABinaryThatPassesTheProbeButDiesAtStartIsACrashThatTheNextDaemonAdopts() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        h.waitUntil("the counter has printed") { counterLines(h) > 50 }
        // Answers the probe as the real binary does, then dies at once when exec'd for real.
        try h.write("dies", "#!/bin/sh\nif [ \"$2\" = --handover-probe ]; then exec '\(h.binary)' \"$@\"; fi\nexit 7\n")
        chmod(h.path("dies"), 0o755)
        let upgrade = h.fom("upgrade", "--binary", h.path("dies"))
        XCTAssertEqual(upgrade.code, 1, upgrade.out)
        h.waitUntil("the daemon's process is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.pid("counter"), child, "still running with no daemon")
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.pid("counter"), child, "adopted by the next daemon, not restarted")
        XCTAssertEqual(h.status("counter"), "online")
        XCTAssertNotEqual(h.daemonPid(), daemon)
        let seen = counterLines(h)
        h.waitUntil("the counter's lines still arrive") { counterLines(h) > seen + 20 }
        XCTAssertEqual(h.fom("stop", "counter").code, 0)
        assertNoGapNoDuplicate(h)
    }

    func testUpgradeToAMissingFileADirectoryOrAFileWithoutExecuteBitIsRefusedByTheDaemon() throws {
        let h = try make(Self.counter)
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("plain", "#!/bin/sh\nexit 0\n")
        try FileManager.default.createDirectory(atPath: h.path("adir"), withIntermediateDirectories: true)
        // The CLI checks first; the daemon checks again (the file can change in between): send
        // the request as a client that skips the CLI's check would.
        for (binary, reason) in [
            (h.path("missing"), "does not exist"), (h.path("adir"), "is a directory"),
            (h.path("plain"), "is not executable"),
        ] {
            let upgrade = h.fom("upgrade", "--binary", binary)
            XCTAssertEqual(upgrade.code, 1, upgrade.err)
            XCTAssertTrue(upgrade.err.contains(reason), upgrade.err)
            let request = "{\"cmd\":\"upgrade\",\"binary\":\"\(binary)\"}\n"
            let answer = try h.rawExchange(Array(request.utf8))
            XCTAssertTrue(answer.contains(binary) && answer.contains(reason), answer)
        }
        XCTAssertEqual(h.status("counter"), "online")
    }
}

/// A crash or `kill -9` of the daemon: the descriptor holder keeps the pipes, the next daemon
/// takes them back and adopts the running instances.
final class DaemonCrashAdoptionTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func holderPids(_ h: FomHarness) -> [Int32] { FomHarness.pids(withToken: h.dir + "/.fom/holder.sock") }

    func testKillDashNineOfTheDaemonThenPingAdoptsTheCounterWithNoGapNoDuplicate() throws {
        let h = try FomHarness(config: "{ \"instances\": [\(DaemonUpgradeTests.counter)] }")
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        func lines() -> Int { h.read(".fom/logs/counter.out.log").split(separator: "\n").count }
        h.waitUntil("the counter has printed") { lines() > 50 }
        XCTAssertEqual(holderPids(h).count, 1, "one descriptor holder")
        // Killed while the counter prints (DaemonCrashLosesNoOutputTests puts the kill inside
        // each window of log capture).
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        // The counter goes on printing into the held pipe while no daemon reads it.
        XCTAssertTrue(FomHarness.isAlive(child))
        let ping = h.fom("ping")
        XCTAssertEqual(ping.code, 0, ping.err)
        XCTAssertEqual(h.pid("counter"), child, "the counter was adopted, not restarted")
        XCTAssertEqual(h.status("counter"), "online")
        XCTAssertEqual(FomHarness.pids(withToken: "itertools").count, 1, "the counter runs once")
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("adopted pid \(child)"), h.read(".fom/logs/fom.log"))
        let seen = lines()
        h.waitUntil("the counter's lines still arrive") { lines() > seen + 20 }
        // An adopted instance goes across an upgrade as well (its pidfd with it).
        let upgrade = h.fom("upgrade")
        XCTAssertEqual(upgrade.code, 0, upgrade.err)
        XCTAssertEqual(h.pid("counter"), child)
        let afterUpgrade = lines()
        h.waitUntil("the counter's lines still arrive after the upgrade") { lines() > afterUpgrade + 20 }
        // Its end is seen through a pidfd; not a child of this daemon, so the code is unknown.
        XCTAssertEqual(h.fom("stop", "counter").code, 0)
        let describe = h.fom("describe", "counter")
        XCTAssertTrue(describe.out.contains("exit code unknown"), describe.out)
        let numbers = h.read(".fom/logs/counter.out.log").split(separator: "\n").compactMap { Int($0) }
        XCTAssertEqual(numbers, Array(1...max(numbers.count, 1)), "gap or duplicate in the counter's log")
        // A clean exit of the daemon ends its holder.
        XCTAssertEqual(h.fom("kill").code, 0)
        h.waitUntil("the holder has exited") { holderPids(h).isEmpty }
    }

    func testAnAdoptedInstanceKeepsItsRestartCount() throws {
        // Fails its first two starts, then stays up.
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "flaky", "kind": "process", "minUptime": "300ms",
                  "backoff": {"initial": "50ms", "max": "50ms"},
                  "command": ["python3", "-c",
                   "import os, sys, time\\nn = int(open('runs').read()) + 1 if os.path.exists('runs') else 1\\nopen('runs', 'w').write(str(n))\\nif n < 3: sys.exit(1)\\ntime.sleep(3094)"]} ] }
                """)
        harness = h
        // `fom start` says the first start failed; the daemon goes on restarting it.
        _ = h.fom("start")
        h.waitUntil("the third run is up") {
            h.list()["flaky"]?["restarts"] as? Int == 2 && h.status("flaky") == "online"
        }
        guard let daemon = h.daemonPid(), let child = h.pid("flaky") else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.pid("flaky"), child, "adopted")
        XCTAssertEqual(h.list()["flaky"]?["restarts"] as? Int, 2, "the count goes on from where the dead daemon was")
    }

    func testAnAdoptedInstanceIsSampledAndWatchedForMaxMemoryAsASpawnedOneIs() throws {
        // Small until told to grow, then well over its 40M limit.
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "grower", "kind": "process", "maxMemory": "40M",
                  "command": ["python3", "-c",
                   "import os, time\\nwhile not os.path.exists('grow'):\\n    time.sleep(0.02)\\nos.remove('grow')\\nb = bytearray(100 << 20)\\nb[::4096] = b'x' * len(b[::4096])\\ntime.sleep(1000)"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let child = h.pid("grower") else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.pid("grower"), child, "adopted")
        func sampled() -> Bool {
            let row = h.list()["grower"] ?? [:]
            return (row["memoryBytes"] as? Int ?? 0) > 0 && row["cpuPercent"] is Double
        }
        h.waitUntil("the adopted instance has cpu and memory numbers") { sampled() }
        // The same after an upgrade: the run is still adopted, not a child.
        XCTAssertEqual(h.fom("upgrade").code, 0)
        h.waitUntil("the adopted instance has numbers after the upgrade") { sampled() }
        try h.write("grow", "")
        h.waitUntil("restarted for memory", timeout: 30) {
            h.status("grower") == "online" && h.pid("grower") != child
        }
        let lastExit = h.list()["grower"]?["lastExit"] as? String ?? ""
        XCTAssertTrue(lastExit.contains("memory limit: RSS ") && lastExit.contains("over maxMemory 40M"), lastExit)
        XCTAssertEqual(h.list()["grower"]?["restarts"] as? Int, 1)
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("memory limit: RSS"), h.read(".fom/logs/fom.log"))
    }

    func testACrashLoopKeepsItsBudgetAndDeadlineAcrossRepeatedKillsOfTheDaemon() throws {
        // Fails at once, every time; each run leaves a line in `runs`.
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "loop", "kind": "process", "maxRestarts": 4,
                  "backoff": {"initial": "3s", "max": "3s"},
                  "command": ["/bin/sh", "-c", "echo run >> runs; exit 3"]} ] }
                """)
        harness = h
        func runs() -> Int { h.read("runs").split(separator: "\n").count }
        func wallMs() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
        _ = h.fom("start", "--no-wait")
        for crash in 1...3 {
            h.waitUntil("failed start \(crash), in backoff") { h.status("loop") == "backoff" && runs() == crash }
            let before = h.list()["loop"] ?? [:]
            guard let daemon = h.daemonPid(), let nextTry = before["nextTryMs"] as? Int else {
                return XCTFail("\(before)")
            }
            XCTAssertEqual(before["restarts"] as? Int, crash)
            kill(daemon, SIGKILL)
            h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
            XCTAssertEqual(h.fom("ping").code, 0)
            let after = h.list()["loop"] ?? [:]
            // Unless its retry came due meanwhile, it waits for the same deadline, counts kept.
            if wallMs() + 500 < nextTry {
                XCTAssertEqual(after["status"] as? String, "backoff", "crash \(crash): \(after)")
                XCTAssertEqual(after["restarts"] as? Int, crash, "crash \(crash)")
                XCTAssertEqual(runs(), crash, "crash \(crash): no try before its time")
                let nextTryAfter = after["nextTryMs"] as? Int ?? 0
                XCTAssertGreaterThanOrEqual(nextTryAfter, nextTry - 250, "crash \(crash): the next try came sooner")
            }
        }
        h.waitUntil("errored after its budget", timeout: 30) { h.status("loop") == "errored" }
        XCTAssertEqual(runs(), 4, "exactly maxRestarts failed starts in all")
        XCTAssertEqual(h.list()["loop"]?["restarts"] as? Int, 3)
        // A crash of the daemon does not give an errored instance a fresh budget either.
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.status("loop"), "errored")
        XCTAssertEqual(runs(), 4)
        // The user's start forgives, as always; a clean exit leaves no budget behind.
        _ = h.fom("start", "loop")
        h.waitUntil("started again by the user") { runs() == 5 }
        XCTAssertEqual(h.fom("kill").code, 0)
        XCTAssertFalse(h.read(".fom/state.json").contains("\"failures\""), h.read(".fom/state.json"))
    }

    func testAnInstanceThatEndedWhileNoDaemonRanIsRestartedAndItsLastLinesKept() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "brief", "kind": "process", "minUptime": "100ms",
                  "command": ["/bin/sh", "-c", "while [ ! -f stop-now ]; do sleep 0.02; done; echo last words; exit 0"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let first = h.pid("brief") else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        try h.write("stop-now", "")
        h.waitUntil("the instance has ended") { !FomHarness.isAlive(first) }
        try FileManager.default.removeItem(atPath: h.path("stop-now"))
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("a new run is online") { h.status("brief") == "online" && h.pid("brief") != first }
        XCTAssertTrue(
            h.read(".fom/logs/brief.out.log").contains("last words"), "what it printed with no daemon is kept")
    }

    func testAKilledHolderIsReplacedAtOnceAndStillHoldsEveryPipe() throws {
        let h = try FomHarness(config: "{ \"instances\": [\(DaemonUpgradeTests.counter)] }")
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let child = h.pid("counter"), let first = holderPids(h).first else { return XCTFail("\(h.list())") }
        kill(first, SIGKILL)
        h.waitUntil("a new holder with every pipe") {
            h.read(".fom/logs/fom.log").contains("a new descriptor holder holds the 2 pipe(s)")
        }
        XCTAssertEqual(holderPids(h).count, 1)
        XCTAssertNotEqual(holderPids(h).first, first)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(
            h.pid("counter"), child, "the new holder had the counter's pipes: " + h.read(".fom/logs/fom.log"))
        XCTAssertEqual(h.status("counter"), "online")
    }

    func testAProcessWhoseCommandChangedInTheConfigIsRestartedNotAdopted() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "sleeper", "kind": "process", "command": ["sleep", "3091"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let first = h.pid("sleeper") else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        try h.write("supervisor.json", h.read("supervisor.json").replacingOccurrences(of: "3091", with: "3092"))
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("the new command runs") { h.status("sleeper") == "online" && h.pid("sleeper") != first }
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("not adopting pid \(first)"), h.read(".fom/logs/fom.log"))
        h.waitUntil("the old process is gone") { FomHarness.pids(withToken: "sleep 3091").isEmpty }
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3092").count, 1)
    }
}
