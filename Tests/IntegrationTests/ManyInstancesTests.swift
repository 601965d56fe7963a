import Foundation
import XCTest

/// 1,000 instances of a small child: all come online, `fom list` answers, a restart storm (every
/// child killed at once) brings every one back, and the daemon stays small.
final class ManyInstancesTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// DESIGN.md's goal is 16 MiB for the shipped (static release) daemon: after the restart
    /// storm it settles at about 13 MiB (run this test with FOM_BINARY=.build/release/fom and
    /// FOM_RSS_LIMIT_MIB=16). The suite runs the debug build, which maps the Swift runtime's
    /// shared libraries as well (about 5 MiB more), and holds it to 24 MiB, so that a regression
    /// still fails.
    static var rssLimit: Int {
        (Int(ProcessInfo.processInfo.environment["FOM_RSS_LIMIT_MIB"] ?? "") ?? 24) << 20
    }

    func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) * 1024
    }

    func testThousandInstancesComeOnlineSurviveARestartStormAndStaySmall() throws {
        // Sleeps of a length no other test uses: their command lines are counted below.
        let token = "4001.\(UInt32.random(in: 1...UInt32.max))"
        let instances = (0..<1000).map {
            #"{"name": "s\#($0)", "kind": "process", "minUptime": "100ms", "command": ["/bin/sleep", "\#(token)"]}"#
        }
        harness = try FomHarness(config: "{ \"instances\": [\(instances.joined(separator: ",\n"))] }")
        let h = harness!
        let start = h.fom("start", timeout: 300)
        XCTAssertEqual(start.code, 0, String(start.err.prefix(2000)))
        var rows = h.list()
        XCTAssertEqual(rows.count, 1000)
        XCTAssertEqual(rows.values.filter { $0["status"] as? String == "online" }.count, 1000)
        let before = Set(rows.values.compactMap { $0["pid"] as? Int })
        XCTAssertEqual(before.count, 1000)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }

        // The storm: every child at once.
        for pid in before { kill(Int32(pid), SIGKILL) }
        h.waitUntil("every instance back online with a new pid", timeout: 300) {
            rows = h.list()
            let online = rows.values.filter { $0["status"] as? String == "online" }
            return online.count == 1000 && online.allSatisfy { !before.contains($0["pid"] as? Int ?? -1) }
        }
        XCTAssertEqual(FomHarness.pids(withToken: token).count, 1000, "each runs once")
        let list = h.fom("list")
        XCTAssertEqual(list.code, 0)
        // Building that 1,000-row answer takes a few MiB, which malloc keeps until the daemon
        // trims its heap, a second or two after a burst (Supervisor+Heap): the goal is the size
        // it settles at.
        let peak = rss(daemon)
        var resident = peak
        h.waitUntil("the daemon settles under \(Self.rssLimit >> 20) MiB (last \(resident >> 10) KiB)", timeout: 15) {
            resident = rss(daemon)
            return resident < Self.rssLimit
        }
        // The parts: anonymous memory is the daemon's own; file pages are its binary and libc.
        let parts = ((try? String(contentsOfFile: "/proc/\(daemon)/status", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter {
                $0.hasPrefix("RssAnon") || $0.hasPrefix("RssFile") || $0.hasPrefix("RssShmem")
            }
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        print(
            "ManyInstancesTests: daemon RSS \(resident >> 10) KiB with 1,000 instances online (\(parts.joined(separator: ", "))), \(peak >> 10) KiB right after a list"
        )
        XCTAssertEqual(h.fom("kill", timeout: 300).code, 0)
    }
}
