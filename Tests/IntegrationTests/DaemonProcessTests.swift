import Foundation
import XCTest

/// `fom daemon` in the foreground: signals, zombies, dependencies, readiness.
final class DaemonProcessTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func startForeground(_ h: FomHarness) throws -> Process {
        try h.startInBackground(["daemon"], stdout: "daemon.stdout", stderr: "daemon.stderr")
    }

    func testSigtermStopsDependentsFirstAndExitsZero() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "web", "kind": "process", "dependsOn": ["db"], "command": ["sleep", "3011"]},
                    {"name": "db", "kind": "process", "command": ["sleep", "3012"]} ] }
                """)
        harness = h
        let process = try startForeground(h)
        h.waitUntil("both online") { h.status("web") == "online" && h.status("db") == "online" }
        let log = h.read(".fom/logs/fom.log")
        XCTAssertLessThan(
            log.range(of: "db: started")!.lowerBound, log.range(of: "web: started")!.lowerBound, "db starts first")
        // SIGHUP must not hurt.
        kill(process.processIdentifier, SIGHUP)
        h.waitUntil("SIGHUP logged") { h.read(".fom/logs/fom.log").contains("SIGHUP") }
        XCTAssertEqual(h.status("web"), "online")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let events = h.read(".fom/logs/fom.log")
        let webStopped = events.range(of: "web: stopped by fom (shutdown)")
        let dbStopping = events.range(of: "db: stopping")
        XCTAssertNotNil(webStopped, events)
        XCTAssertNotNil(dbStopping, events)
        if let webStopped, let dbStopping {
            XCTAssertLessThan(webStopped.lowerBound, dbStopping.lowerBound, "web stops before db")
        }
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3011") + FomHarness.pids(withToken: "sleep 3012"), [])
        XCTAssertTrue(h.read("daemon.stderr").contains("daemon started"), "events go to stderr too")
    }

    func testOrphansThatAreNotInstancesAreReaped() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "parent", "kind": "process",
                  "command": ["/bin/sh", "-c", "for i in 1 2 3 4 5; do (sleep 0.2; echo $i > orphan-$i) & done; exec sleep 3013"]} ] }
                """)
        harness = h
        let process = try startForeground(h)
        h.waitUntil("the orphans ran") { FileManager.default.fileExists(atPath: h.path("orphan-5")) }
        let daemonPid = process.processIdentifier
        h.waitUntil("no zombie child of the daemon") { self.zombieChildren(of: daemonPid).isEmpty }
        XCTAssertEqual(h.status("parent"), "online")
    }

    func zombieChildren(of parent: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields[0] == "Z" && Int32(fields[1]) == parent ? pid : nil
        }
    }

    func testDependentWaitsForTcpReadyDependency() throws {
        let port = FomHarness.freePort()
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "app", "kind": "process", "dependsOn": ["db"], "command": ["sleep", "3014"]},
                    {"name": "db", "kind": "process", "ready": {"tcp": \(port)},
                     "command": ["python3", "-c", "import socket,time\\ntime.sleep(0.5)\\ns=socket.socket()\\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\\ns.bind(('127.0.0.1', \(port)))\\ns.listen()\\ntime.sleep(1000)"]} ] }
                """)
        harness = h
        let start = h.fom("start", "app")
        XCTAssertEqual(start.code, 0, start.err)
        let log = h.read(".fom/logs/fom.log")
        let dbOnline = log.range(of: "db: online")
        let appStarted = log.range(of: "app: started")
        XCTAssertNotNil(dbOnline, log)
        XCTAssertNotNil(appStarted, log)
        if let dbOnline, let appStarted { XCTAssertLessThan(dbOnline.lowerBound, appStarted.lowerBound, log) }
    }

    func testReadyTimeoutIsAFailedStartAndEndsErrored() throws {
        let port = FomHarness.freePort()
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "mute", "kind": "process", "port": \(port),
                  "ready": {"http": "/health"}, "readyTimeout": "300ms", "maxRestarts": 2, "killTimeout": "1s",
                  "command": ["sleep", "3015"]} ] }
                """)
        harness = h
        h.fom("start", "mute", "--no-wait")
        h.waitUntil("errored after two ready timeouts") { h.status("mute") == "errored" }
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("not ready within 300ms"), log)
        XCTAssertEqual(
            h.list()["mute"]?["reason"] as? String,
            "gave up after 2 failed starts in a row (last: not ready within 300ms)")
        XCTAssertTrue((h.list()["mute"]?["lastExit"] as? String ?? "").contains("stopped by fom (ready timeout)"))
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3015"), [])
    }

    func testSpawnedChildSeesOnlyStdioAndAFreshSignalState() throws {
        // The daemon blocks SIGCHLD/SIGTERM/SIGINT/SIGHUP, ignores SIGPIPE and holds many
        // descriptors; none of that may leak. `sleep` changes none of it, so /proc shows what fom gave.
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "probe", "kind": "process", "command": ["sleep", "3016"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let pid = h.pid("probe") else { return XCTFail("no pid") }
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
        XCTAssertEqual(fds, [0, 1, 2], "only stdio is open in the child")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0"), "/dev/null")
        XCTAssertTrue(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1").hasPrefix("pipe:"))
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8).split(separator: "\n")
        func mask(_ key: String) -> UInt64 {
            UInt64(status.first { $0.hasPrefix(key + ":") }?.split(separator: "\t").last ?? "", radix: 16) ?? .max
        }
        XCTAssertEqual(mask("SigBlk"), 0, "no blocked signal")
        // Signals 32 and 33 are glibc's own (thread cancel, setxid): sigfillset leaves them out and
        // every glibc program installs its handlers for them at start. Nothing else may be ignored.
        XCTAssertEqual(mask("SigIgn") & ~UInt64(0x1_8000_0000), 0, "ignored signals leaked")
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        XCTAssertEqual(Int32(fields[3]), pid, "the child leads its own session")
        XCTAssertEqual(Int32(fields[2]), pid, "and its own process group")
    }
}

/// `maxMemory`: the whole tree's resident memory, measured every few seconds.
final class MemoryLimitTests: XCTestCase {
    func testTreeOverMaxMemoryIsRestartedAndRecordedAsSuch() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "hog", "kind": "process", "maxMemory": "40M",
                  "command": ["python3", "-c", "import os, time\\nif os.fork() == 0:\\n    b = bytearray(30 << 20)\\n    b[::4096] = b'x' * len(b[::4096])\\n    time.sleep(1000)\\nb = bytearray(30 << 20)\\nb[::4096] = b'x' * len(b[::4096])\\ntime.sleep(1000)"]},
                  {"name": "lean", "kind": "process", "maxMemory": "200M", "command": ["sleep", "3030"]} ] }
                """)
        defer { h.tearDown() }
        XCTAssertEqual(h.fom("start").code, 0)
        let first = h.pid("hog")
        // Each process alone stays under 40M; together they do not.
        h.waitUntil("restarted for memory", timeout: 30) {
            h.read(".fom/logs/fom.log").contains("hog: stopping pid")
                && h.read(".fom/logs/fom.log").contains("memory limit: RSS")
        }
        h.waitUntil("back online with a new pid", timeout: 30) { h.status("hog") == "online" && h.pid("hog") != first }
        let lastExit = h.list()["hog"]?["lastExit"] as? String ?? ""
        XCTAssertTrue(
            lastExit.hasPrefix("stopped by fom (memory limit: RSS ") && lastExit.contains("over maxMemory 40M"),
            lastExit)
        XCTAssertGreaterThanOrEqual(h.list()["hog"]?["restarts"] as? Int ?? 0, 1)
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains("lean: stopping"), "the lean instance is left alone")
    }
}
