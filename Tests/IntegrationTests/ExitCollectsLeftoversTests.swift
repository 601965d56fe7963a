import Foundation
import XCTest

/// When an instance's main process exits, what it started and left behind is stopped before the
/// next run, wherever it lives: orphans of a run the daemon started come back to the daemon (its
/// subreaper) and are found in its tree; those of a run adopted after a daemon crash live
/// outside it (their subreaper was the dead daemon) and are found by their marker on the host.
final class ExitCollectsLeftoversTests: XCTestCase {
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

    func config() -> String {
        """
        { "instances": [{"name": "leaver", "kind": "process", "killTimeout": "2s", "minUptime": "100ms",
          "command": ["python3", "leaver.py"]}] }
        """
    }

    func testWhatAnExitedRunLeftInTheDaemonsTreeIsStoppedBeforeTheNextRun() throws {
        let token = "3041.\(UInt32.random(in: 1...UInt32.max))"
        let h = try FomHarness(config: config())
        harness = h
        try h.write("leaver.py", Self.leaver(token: token, waitForGo: false))
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("the orphan was started") { !h.read("orphan.pid").isEmpty }
        let orphan = Int32(h.read("orphan.pid"))!
        h.waitUntil("the orphan is stopped") { !FomHarness.isAlive(orphan) }
        h.waitUntil("the next run is online") { h.status("leaver") == "online" }
        XCTAssertEqual(FomHarness.pids(withToken: token), [])
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("waiting for 1 leftover process(es): \(orphan)"), log)
    }

    func testWhatAnAdoptedRunLeftOutsideTheDaemonsTreeIsStoppedToo() throws {
        let token = "3042.\(UInt32.random(in: 1...UInt32.max))"
        let h = try FomHarness(config: config())
        harness = h
        try h.write("leaver.py", Self.leaver(token: token, waitForGo: true))
        XCTAssertEqual(h.fom("start").code, 0)
        guard let main = h.pid("leaver"), let daemon = h.daemonPid() else { return XCTFail("\(h.list())") }
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.pid("leaver"), main, "the run was adopted, not restarted")
        guard let next = h.daemonPid() else { return XCTFail("no daemon after ping") }
        try h.write("go", "")
        h.waitUntil("the orphan was started") { !h.read("orphan.pid").isEmpty }
        let orphan = Int32(h.read("orphan.pid"))!
        XCTAssertFalse(
            Self.isDescendant(orphan, of: next), "the orphan is outside the new daemon's tree, as the test means it")
        h.waitUntil("the orphan is stopped") { !FomHarness.isAlive(orphan) }
        h.waitUntil("the next run is online") { h.status("leaver") == "online" }
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("waiting for 1 leftover process(es): \(orphan)"), log)
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
