import Foundation
import XCTest

/// A crash or `kill -9` of the daemon, at any moment, loses nothing an instance printed and
/// writes nothing twice: bytes leave a pipe only by landing in the stream's spool, the holder
/// keeps pipes, spools and the capture journal, and the next daemon settles the write the dead
/// one had under way. `FOM_TEST_CRASH` puts the crash exactly in each of the two windows.
final class DaemonCrashLosesNoOutputTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// Prints 1, 2, 3, ... each in two writes 1 ms apart (so that a line is half-written as often
    /// as not when the daemon dies), every 2 ms.
    static func counter(timestamps: Bool) -> String {
        """
        { "logs": { "timestamps": \(timestamps) }, "instances": [
          {"name": "counter", "kind": "process", "command": ["python3", "-u", "-c",
           "import itertools, sys, time\\nfor i in itertools.count(1):\\n    s = str(i)\\n    sys.stdout.write(s[:1]); sys.stdout.flush()\\n    time.sleep(0.001)\\n    sys.stdout.write(s[1:] + '\\\\n'); sys.stdout.flush()\\n    time.sleep(0.001)"]} ] }
        """
    }

    /// The numbers in the counter's log (the last word of each line: timestamps come first).
    func numbers(_ h: FomHarness) -> [Int?] {
        h.read(".fom/logs/counter.out.log").split(separator: "\n").map { line in
            line.split(separator: " ").last.flatMap { Int($0) }
        }
    }

    func assertNoGapNoDuplicate(_ h: FomHarness, file: StaticString = #filePath, line: UInt = #line) {
        let found = numbers(h)
        XCTAssertGreaterThan(found.count, 100, file: file, line: line)
        XCTAssertFalse(found.contains(nil), "a line that is not a whole number", file: file, line: line)
        var values = found.compactMap { $0 }
        // Stopped mid-line, the counter's last line is the first half of the next number.
        if values.count > 1, String(values[values.count - 2] + 1).hasPrefix(String(values.last!)),
            values.last! != values[values.count - 2] + 1
        {
            values.removeLast()
        }
        let gaps = zip(values, values.dropFirst()).filter { $1 != $0 + 1 }.prefix(5).map { "\($0) then \($1)" }
        XCTAssertEqual(values.first, 1, file: file, line: line)
        var context = ""
        if let i = values.indices.dropLast().first(where: { values[$0 + 1] != values[$0] + 1 }) {
            let raw = h.read(".fom/logs/counter.out.log").split(separator: "\n", omittingEmptySubsequences: false)
            context = raw[max(0, i - 3)..<min(raw.count, i + 4)].joined(separator: " | ")
        }
        XCTAssertEqual(gaps, [], "gap or duplicate in the counter's log: \(context)", file: file, line: line)
    }

    /// The daemon died (by its own crash point or a kill); `fom ping` starts the next one, which
    /// adopts the counter, whose lines go on arriving.
    func restartDaemonAndCheckAdoption(_ h: FomHarness, daemon: Int32, child: Int32) {
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        XCTAssertTrue(FomHarness.isAlive(child), "the counter outlives the daemon")
        h.extraEnvironment["FOM_TEST_CRASH"] = nil
        let ping = h.fom("ping")
        XCTAssertEqual(ping.code, 0, ping.err)
        XCTAssertEqual(h.pid("counter"), child, "the counter was adopted, not restarted")
        let seen = numbers(h).count
        h.waitUntil("the counter's lines still arrive") { numbers(h).count > seen + 80 }
    }

    func testKillDashNineWhileTheCounterPrintsLosesNoLineAndWritesNoneTwice() throws {
        let h = try FomHarness(config: Self.counter(timestamps: true))
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let child = h.pid("counter") else { return XCTFail("\(h.list())") }
        for round in 1...5 {
            guard let daemon = h.daemonPid() else { return XCTFail("no daemon in round \(round)") }
            let seen = numbers(h).count
            h.waitUntil("the counter prints") { numbers(h).count > seen + 30 }
            // No pause: the counter is mid-line or mid-write as often as not.
            kill(daemon, SIGKILL)
            restartDaemonAndCheckAdoption(h, daemon: daemon, child: child)
        }
        XCTAssertEqual(h.fom("stop", "counter").code, 0)
        assertNoGapNoDuplicate(h)
    }

    /// The daemon kills itself at `crashPoint` (FOM_TEST_CRASH); the next one adopts the counter,
    /// and its log has every number once.
    func assertACrashAtLosesNothing(
        _ crashPoint: String, timestamps: Bool, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let h = try FomHarness(config: Self.counter(timestamps: timestamps))
        harness = h
        h.extraEnvironment["FOM_TEST_CRASH"] = crashPoint
        XCTAssertEqual(h.fom("start").code, 0, file: file, line: line)
        guard let daemon = h.daemonPid(), let child = h.pid("counter") else {
            return XCTFail("\(h.list())", file: file, line: line)
        }
        restartDaemonAndCheckAdoption(h, daemon: daemon, child: child)
        XCTAssertEqual(h.fom("stop", "counter").code, 0, file: file, line: line)
        assertNoGapNoDuplicate(h, file: file, line: line)
    }

    func testACrashAfterTakingBytesFromThePipeBeforeWritingThemLosesNone() throws {
        try assertACrashAtLosesNothing("take:40", timestamps: false)
    }

    func testACrashAfterALogWriteBeforeItIsRecordedWritesNothingTwice() throws {
        try assertACrashAtLosesNothing("write:40", timestamps: true)
    }

    func testOutputOfAnInstanceThatEndedMidLineWhileNoDaemonRanIsKeptWhole() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "brief", "kind": "process", "minUptime": "100ms",
                  "command": ["python3", "-u", "-c",
                   "import os, sys, time\\nsys.stdout.write('first half'); sys.stdout.flush()\\nopen('wrote-half', 'w').close()\\nwhile not os.path.exists('stop-now'): time.sleep(0.02)\\nsys.stdout.write(' and the rest'); sys.stdout.flush()"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let first = h.pid("brief") else { return XCTFail("\(h.list())") }
        // The half line is in the pipe before the file exists; the daemon's loop takes it before
        // it answers the next request. Then it is a partial line, not in the log yet.
        h.waitUntil("the instance has written half a line") {
            FileManager.default.fileExists(atPath: h.path("wrote-half"))
        }
        XCTAssertEqual(h.fom("ping").code, 0)
        XCTAssertEqual(h.read(".fom/logs/brief.out.log"), "")
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        try h.write("stop-now", "")
        h.waitUntil("the instance has ended") { !FomHarness.isAlive(first) }
        try FileManager.default.removeItem(atPath: h.path("stop-now"))
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("its log has the whole line") {
            h.read(".fom/logs/brief.out.log").contains("first half and the rest\n")
        }
    }
}
