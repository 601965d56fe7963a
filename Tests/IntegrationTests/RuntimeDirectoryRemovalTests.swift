import Foundation
import XCTest

/// `rm -rf .fom` under a running daemon (`git clean -xdf`, a tmp cleaner): the daemon makes
/// its runtime directory again, and no instance ever runs twice.
final class RuntimeDirectoryRemovalTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testRemovedRuntimeDirectoryIsRebuiltAndNoInstanceRunsTwice() throws {
        // A sleep of a unique length: its command line tells it apart from every other process.
        let token = "3011.\(UInt32.random(in: 1...UInt32.max))"
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "once", "kind": "process",
                  "command": ["/bin/sleep", "\(token)"]}] }
                """)
        let h = harness!
        XCTAssertEqual(h.fom("start").code, 0)
        guard let first = h.daemonPid() else { return XCTFail("no daemon") }
        XCTAssertEqual(FomHarness.pids(withToken: token).count, 1)
        try FileManager.default.removeItem(atPath: h.path(".fom"))
        // What the user types next: the CLI must reach the same daemon, not start a second one.
        let start = h.fom("start")
        XCTAssertEqual(start.code, 0, start.out + start.err)
        h.waitUntil("the socket is back") { FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")) }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.daemonPid(), first, "the same daemon serves")
        XCTAssertTrue(FomHarness.isAlive(first))
        XCTAssertEqual(FomHarness.pids(withToken: token).count, 1, "the instance runs once")
        h.waitUntil("the state file is written again") { h.read(".fom/state.json").contains("once") }
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("was removed; made it again"), h.read(".fom/logs/fom.log"))
        XCTAssertEqual(h.fom("stop", "once").code, 0)
        h.waitUntil("the instance is gone") { FomHarness.pids(withToken: token).isEmpty }
    }

    func testSecondDaemonRefusesWhileAnotherRunsTheInstances() throws {
        let token = "3012.\(UInt32.random(in: 1...UInt32.max))"
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "once", "kind": "process",
                  "command": ["/bin/sleep", "\(token)"]}] }
                """)
        let h = harness!
        XCTAssertEqual(h.fom("start").code, 0)
        guard let first = h.daemonPid() else { return XCTFail("no daemon") }
        // The first daemon is stopped, so it cannot make its directory again before the second
        // daemon looks: the second must still see whose instances these are.
        kill(first, SIGSTOP)
        defer { kill(first, SIGCONT) }
        try FileManager.default.removeItem(atPath: h.path(".fom"))
        let second = h.fom("daemon", timeout: 30)
        XCTAssertEqual(second.code, 1, second.out + second.err)
        XCTAssertTrue(second.err.contains("already running") && second.err.contains("pid \(first)"), second.err)
        XCTAssertEqual(FomHarness.pids(withToken: token).count, 1, "the instance was left alone")
        kill(first, SIGCONT)
        h.waitUntil("the first daemon answers again") { h.fom("ping", "--timeout", "2s").code == 0 }
        XCTAssertEqual(h.daemonPid(), first)
    }
}
