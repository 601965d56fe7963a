import Foundation
import XCTest

/// What a run leaves behind is stopped with it. When its main process ends by itself, before the
/// next run starts, wherever the leftovers live: orphans of a run the daemon started come back to
/// the daemon (its subreaper) and are found in its tree; those of a run adopted after a daemon
/// crash live outside it (their subreaper was the dead daemon) and are found by their marker on
/// the host. A stop looks for the marker on the whole host, in the daemon's tree or not.
final class RunLeftoversTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// A main process that, once `go` exists (at once when `waitForGo` is false), starts a
    /// child in its own session that ignores nothing and sleeps, notes the child's pid in
    /// orphan.pid, and exits 3. The next run finds orphan.pid and only sleeps.
    static func leaver(token: String, waitForGo: Bool) -> String {
        """
        import os, sys, time
        if os.path.exists("orphan.pid"):
            time.sleep(1000)
        while \(waitForGo ? "True" : "False") and not os.path.exists("go"):
            time.sleep(0.01)
        pid = os.fork()
        if pid == 0:
            os.setsid()
            with open("orphan.pid.tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename("orphan.pid.tmp", "orphan.pid")
            os.execvp("sleep", ["sleep", "\(token)"])
        while not os.path.exists("orphan.pid"):
            time.sleep(0.01)
        sys.exit(3)
        """
    }

    /// A harness whose one instance runs the leaver, started.
    func startLeaver(token: String, waitForGo: Bool) throws -> FomHarness {
        let h = try FomHarness(
            config: """
                { "instances": [{"name": "leaver", "kind": "process", "killTimeout": "2s", "minUptime": "100ms",
                  "command": ["python3", "leaver.py"]}] }
                """)
        harness = h
        try h.write("leaver.py", Self.leaver(token: token, waitForGo: waitForGo))
        XCTAssertEqual(h.fom("start").code, 0)
        return h
    }

    /// The orphan the leaver started is signalled as its leftover, gone, and the next run online.
    func assertOrphanStoppedBeforeTheNextRun(
        _ h: FomHarness, token: String, outsideTreeOf daemon: Int32? = nil, line: UInt = #line
    ) {
        h.waitUntil("the orphan was started", line: line) { !h.read("orphan.pid").isEmpty }
        guard let orphan = Int32(h.read("orphan.pid")) else { return XCTFail("orphan.pid", line: line) }
        if let daemon {
            XCTAssertFalse(
                Self.isDescendant(orphan, of: daemon), "the orphan is outside the daemon's tree, as the test means it",
                line: line)
        }
        h.waitUntil("the orphan is stopped", line: line) { !FomHarness.isAlive(orphan) }
        h.waitUntil("the next run is online", line: line) { h.status("leaver") == "online" }
        XCTAssertEqual(FomHarness.pids(withToken: token), [], line: line)
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("waiting for 1 leftover process(es): \(orphan)"), log, line: line)
    }

    func testWhatAnExitedRunLeftInTheDaemonsTreeIsStoppedBeforeTheNextRun() throws {
        let token = "3041.\(UInt32.random(in: 1...UInt32.max))"
        let h = try startLeaver(token: token, waitForGo: false)
        assertOrphanStoppedBeforeTheNextRun(h, token: token)
    }

    func testWhatAnAdoptedRunLeftOutsideTheDaemonsTreeIsStoppedToo() throws {
        let token = "3042.\(UInt32.random(in: 1...UInt32.max))"
        let h = try startLeaver(token: token, waitForGo: true)
        guard let main = h.pid("leaver"), let daemon = h.daemonPid() else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.pid("leaver"), main, "the run was adopted, not restarted")
        guard let next = h.daemonPid() else { return XCTFail("no daemon after ping") }
        try h.write("go", "")
        assertOrphanStoppedBeforeTheNextRun(h, token: token, outsideTreeOf: next)
    }

    func testAStopStopsAMarkedProcessOutsideTheDaemonsTree() throws {
        let token = "3043.\(UInt32.random(in: 1...UInt32.max))"
        let h = try FomHarness(
            config: """
                { "instances": [{"name": "main", "kind": "process", "killTimeout": "2s",
                  "command": ["/bin/sleep", "3044"]}] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let main = h.pid("main"), let daemon = h.daemonPid() else { return XCTFail("\(h.list())") }
        let environ = FileManager.default.contents(atPath: "/proc/\(main)/environ") ?? Data()
        guard
            let marker = String(decoding: environ, as: UTF8.self).split(separator: "\0")
                .first(where: { $0.hasPrefix("FOM_TREE=") })
        else { return XCTFail("the main process has no marker") }
        // Started by the test, not by the daemon: a job a run handed its environment to (`at`).
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/bin/sleep")
        job.arguments = [token]
        job.environment = ["PATH": "/usr/bin:/bin", String(marker.split(separator: "=")[0]): String(marker.dropFirst(9))]
        try job.run()
        defer { if job.isRunning { job.terminate() } }
        XCTAssertFalse(Self.isDescendant(job.processIdentifier, of: daemon), "the job is outside the daemon's tree")
        let stop = h.fom("stop", "main")
        XCTAssertEqual(stop.code, 0, stop.err)
        guard h.waitUntil("the marked job is stopped with the instance", { !job.isRunning }) else { return }
        XCTAssertEqual(job.terminationReason, .uncaughtSignal)
    }

    /// Whether `ancestor` is `pid`'s parent, grandparent, ... (while `pid` lives).
    static func isDescendant(_ pid: Int32, of ancestor: Int32) -> Bool {
        var current = pid
        while current > 1 {
            guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { return false }
            if parent == ancestor { return true }
            current = parent
        }
        return false
    }
}
