import Foundation
import XCTest

/// `fom logs` with timestamps on: stdout and stderr as one stream in time order, `-n` counting
/// lines of that stream, `--since` and `--grep`.
final class LogsMergeTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func body(_ output: String) -> [String] {
        output.split(separator: "\n").map { line in
            let text = line.split(separator: "|", maxSplits: 1).last.map(String.init) ?? ""
            // "app | 2026-11-27T10:00:00.123Z line 3" -> "line 3"
            return String(text.dropFirst(1 + 24 + 1))
        }
    }

    func testLinesOfStdoutAndStderrComeOutInTheOrderTheyWereWritten() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "timestamps": true },
                  "instances": [ {"name": "app", "kind": "process", "command": ["python3", "-u", "alternate.py"]} ] }
                """)
        harness = h
        try h.write(
            "alternate.py",
            """
            import sys, time
            for i in range(1, 9):
                (sys.stdout if i % 2 else sys.stderr).write(f"line {i} {'Boom' if i == 6 else 'fine'}\\n")
                time.sleep(0.03)
            time.sleep(3021)
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("all eight lines written") { h.read(".fom/logs/app.err.log").contains("line 8") }
        let tail = h.fom("logs", "app", "-n", "5")
        XCTAssertEqual(tail.code, 0, tail.err)
        XCTAssertEqual(body(tail.out), ["line 4 fine", "line 5 fine", "line 6 Boom", "line 7 fine", "line 8 fine"])

        let grep = h.fom("logs", "app", "--grep", "boom")
        XCTAssertEqual(body(grep.out), ["line 6 Boom"])
        XCTAssertEqual(h.fom("logs", "app", "--grep", "BOOM").out, "", "capitals match exactly")

        let everything = h.fom("logs", "-n", "3")
        XCTAssertEqual(everything.out.split(separator: "\n").count, 3, everything.out)
    }

    func testSinceTakesASpanOrATimeAndShowsOnlyLaterLines() throws {
        let h = try FomHarness(
            config:
                #"{ "logs": { "timestamps": true }, "instances": [ {"name": "app", "kind": "process", "command": ["true"]} ] }"#
        )
        harness = h
        try FileManager.default.createDirectory(atPath: h.path(".fom/logs"), withIntermediateDirectories: true)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let threeDays = formatter.string(from: Date().addingTimeInterval(-3 * 86400))
        let old = formatter.string(from: Date().addingTimeInterval(-3600))
        let recent = formatter.string(from: Date().addingTimeInterval(-60))
        try h.write(
            ".fom/logs/app.out.log", "\(threeDays) three days ago\n\(old) an hour ago\n\(recent) a minute ago\n")
        try h.write(".fom/logs/app.err.log", "\(old) old error\n")
        let since = h.fom("logs", "app", "--since", "10m")
        XCTAssertEqual(since.code, 0, since.err)
        XCTAssertEqual(body(since.out), ["a minute ago"])
        XCTAssertEqual(body(h.fom("logs", "app", "--since", "2h").out), ["an hour ago", "old error", "a minute ago"])
        XCTAssertEqual(
            body(h.fom("logs", "app", "--since", "1h30m").out), ["an hour ago", "old error", "a minute ago"])
        XCTAssertEqual(body(h.fom("logs", "app", "--since", "90s").out), ["a minute ago"])
        XCTAssertEqual(body(h.fom("logs", "app", "--since", "2d").out), ["an hour ago", "old error", "a minute ago"])
        XCTAssertEqual(body(h.fom("logs", "app", "--since", "4d").out).first, "three days ago")
        // A time as the log shows it (UTC): from that line on.
        XCTAssertEqual(body(h.fom("logs", "app", "--since", old).out), ["an hour ago", "old error", "a minute ago"])
        XCTAssertEqual(body(h.fom("logs", "app", "--since", recent).out), ["a minute ago"])
        let day = String(threeDays.prefix(10))
        XCTAssertEqual(body(h.fom("logs", "app", "--since", day).out).count, 4)

        for junk in ["yesterday", "-5m", "10", "2026-13-01", "99999999999999999999s", ""] {
            let bad = h.fom("logs", "app", "--since", junk)
            XCTAssertEqual(bad.code, 2, junk)
            XCTAssertTrue(bad.err.hasPrefix("fom logs: --since takes a span back from now (90s, 10m"), bad.err)
            XCTAssertTrue(bad.err.contains("2026-12-07T05:30:54Z"), bad.err)
            XCTAssertEqual(bad.err.split(separator: "\n").count, 1, bad.err)
            XCTAssertEqual(bad.out, "")
        }
        for junk in ["-1", "x", "1000001", "99999999999999999999"] {
            let bad = h.fom("logs", "app", "-n", junk)
            XCTAssertEqual(bad.code, 2, junk)
            XCTAssertTrue(bad.err.contains("-n takes a number of lines from 0 to 1000000"), bad.err)
        }
        for junk in ["0", "0s", "-2", "abc", "25h", "99999999999999999999"] {
            let bad = h.fom("logs", "app", "--timeout", junk)
            XCTAssertEqual(bad.code, 2, junk)
            XCTAssertTrue(bad.err.contains("--timeout"), bad.err)
        }
    }
}
