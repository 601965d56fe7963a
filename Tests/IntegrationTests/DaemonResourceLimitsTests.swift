import Foundation
import XCTest

/// What the daemon keeps for itself: a client that says nothing is dropped after the idle
/// timeout, and a start that finds no free descriptor waits and is tried again, rather than
/// counting as a failed start.
final class DaemonResourceLimitsTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testAClientThatSaysNothingIsDroppedAfterTheIdleTimeout() throws {
        let h = try FomHarness(
            config: #"{"instances": [{"name": "a", "kind": "process", "command": ["sleep", "3401"]}]}"#)
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        let idle = try WatchStreamTests.Connection(h.path(".fom/fom.sock"))
        let started = Date()
        // nil at the end of the stream (the daemon closed it), or at this deadline.
        XCTAssertNil(idle.nextLine(timeout: 90))
        let waited = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(waited, 55, "dropped before the 60 s idle timeout")
        XCTAssertLessThan(waited, 89, "an idle client was never dropped")
        XCTAssertEqual(h.fom("ping").code, 0, "everyone else is served as before")
    }

    func testAStartWithoutFreeDescriptorsWaitsAndIsTriedAgain() throws {
        let h = try FomHarness(
            config:
                #"{"instances": [{"name": "a", "kind": "process", "autostart": false, "command": ["sleep", "3402"]}]}"#
        )
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon)/fd").count
        // Room for a client's connection, not for the pipes and pidfd of a spawn.
        XCTAssertEqual(setFileLimit(daemon, open + 2), 0)
        XCTAssertEqual(h.fom("start", "a", "--no-wait").code, 0)
        h.waitUntil("the start waits for descriptors") {
            (h.list()["a"]?["reason"] as? String ?? "").contains("descriptors")
        }
        XCTAssertEqual(h.list()["a"]?["status"] as? String, "starting")
        XCTAssertEqual(setFileLimit(daemon, 4096), 0, "the soft limit back up (under the hard one)")
        h.waitUntil("online once descriptors are free") { h.status("a") == "online" }
        XCTAssertEqual(h.list()["a"]?["restarts"] as? Int, 0, "a lack of descriptors is no failed start")
    }

    /// The soft limit only (`prlimit --pid PID --nofile=N:`, from util-linux, an essential Debian
    /// package): raising it again needs no privilege.
    func setFileLimit(_ pid: Int32, _ limit: Int) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--pid", String(pid), "--nofile=\(limit):"]
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
