import Foundation
import XCTest

/// `fom upgrade` of a daemon that is PID 1 of its own PID namespace, as in a container: exec
/// keeps PID 1, so the container and its instances go on, and the command says so.
final class PidOneUpgradeTests: XCTestCase {
    func testUpgradeOfADaemonThatIsPidOneKeepsPidOneAndItsInstances() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs util-linux's unshare")
        XCTAssertEqual(geteuid(), 0, "a PID namespace needs root (CI runs as root)")
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "plain", "kind": "process", "command": ["sleep", "3081"]} ] }
                """)
        defer { h.tearDown() }
        let unshare = Process()
        unshare.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        unshare.arguments = ["--pid", "--fork", "--mount-proc", h.binary, "daemon"]
        unshare.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        unshare.standardOutput = FileHandle.nullDevice
        unshare.standardError = FileHandle.nullDevice
        try unshare.run()
        defer { if unshare.isRunning { unshare.terminate() } }
        h.waitUntil("plain online") { h.status("plain") == "online" }
        let sleeper = FomHarness.pids(withToken: "sleep 3081")
        XCTAssertEqual(sleeper.count, 1)

        let upgrade = h.fom("upgrade")
        XCTAssertEqual(upgrade.code, 0, upgrade.err)
        XCTAssertTrue(upgrade.out.contains("daemon pid 1 "), upgrade.out)
        XCTAssertTrue(upgrade.out.contains("PID 1 (a container)"), upgrade.out)
        XCTAssertTrue(unshare.isRunning, "the container ended")
        XCTAssertEqual(h.status("plain"), "online")
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3081"), sleeper, "the instance was restarted")
        XCTAssertTrue(h.fom("ping").out.contains("re-executed"))

        XCTAssertEqual(h.fom("kill").code, 0)
        h.waitUntil("the container exits", timeout: 30) { !unshare.isRunning }
        XCTAssertEqual(unshare.terminationStatus, 0)
    }
}
