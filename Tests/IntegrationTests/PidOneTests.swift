import Foundation
import XCTest

/// `fom daemon` as PID 1 of its own PID namespace, as in a container: it reaps every orphan,
/// and SIGTERM (which the kernel drops for a PID 1 without a handler, unless it is blocked and
/// read, as fom does) stops everything and exits 0.
final class PidOneTests: XCTestCase {
    func testDaemonAsPidOneReapsOrphansAndStopsOnSigterm() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), geteuid() == 0 else {
            throw XCTSkip("needs root and util-linux's unshare (CI has both)")
        }
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "parent", "kind": "process",
                     "command": ["/bin/sh", "-c", "for i in 1 2 3; do (sleep 0.2; echo $i > orphan-$i) & done; exec sleep 3050"]},
                    {"name": "plain", "kind": "process", "command": ["sleep", "3051"]} ] }
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

        // The daemon is unshare's only child; outside the namespace it has an ordinary pid.
        var daemon: Int32 = 0
        h.waitUntil("the daemon runs") {
            daemon = children(of: unshare.processIdentifier).first ?? 0
            return daemon != 0
        }
        h.waitUntil("both online") { h.status("parent") == "online" && h.status("plain") == "online" }
        let inside = try String(contentsOfFile: "/proc/\(daemon)/status", encoding: .utf8)
        XCTAssertTrue(
            inside.split(separator: "\n").contains { $0.hasPrefix("NSpid:") && $0.hasSuffix("\t1") },
            "not PID 1: \(inside)")
        h.waitUntil("the orphans ran") { FileManager.default.fileExists(atPath: h.path("orphan-3")) }
        h.waitUntil("every orphan reaped") { zombies(childrenOf: daemon).isEmpty }

        kill(daemon, SIGTERM)
        h.waitUntil("the daemon exits", timeout: 30) { !unshare.isRunning }
        XCTAssertEqual(unshare.terminationStatus, 0, "unshare returns the daemon's exit status")
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3050") + FomHarness.pids(withToken: "sleep 3051"), [])
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("shutting down (signal SIGTERM)"))
    }
}

private func children(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task in
        ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int32($0) }
    }
}

private func zombies(childrenOf pid: Int32) -> [Int32] {
    children(of: pid).filter { child in
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }
}
