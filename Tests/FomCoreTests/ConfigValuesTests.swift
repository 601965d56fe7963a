import FomCore
import XCTest

final class ConfigValuesTests: XCTestCase {
    private func durationError(_ text: String) -> String {
        do {
            let value = try DurationText.parse(text)
            return "parsed as \(value)"
        } catch {
            return error.message
        }
    }

    private func sizeError(_ text: String) -> String {
        do {
            let value = try SizeText.parse(text)
            return "parsed as \(value)"
        } catch {
            return error.message
        }
    }

    func testDurations() throws {
        let table: [(String, Duration)] = [
            ("100ms", .milliseconds(100)),
            ("5s", .seconds(5)),
            ("2m", .seconds(120)),
            ("1h", .seconds(3600)),
            ("1.5s", .milliseconds(1500)),
            ("0.1s", .milliseconds(100)),
            ("0.25m", .seconds(15)),
            ("1.5ms", .microseconds(1500)),
            ("0s", .zero),
            ("1m30s", .seconds(90)),
            ("1h 2m 3s", .seconds(3723)),
            (" 5s ", .seconds(5)),
            ("5 s", .seconds(5)),
            ("007s", .seconds(7)),
        ]
        for (text, expected) in table {
            XCTAssertEqual(try DurationText.parse(text), expected, text)
        }
    }

    func testDurationErrors() {
        XCTAssertEqual(durationError("5"), "duration needs a unit: ms, s, m or h")
        XCTAssertEqual(durationError("1.5"), "duration needs a unit: ms, s, m or h")
        XCTAssertEqual(durationError(""), #"empty duration; write e.g. "100ms", "5s", "2m" or "1h""#)
        XCTAssertEqual(durationError("-5s"), #"duration "-5s" is negative"#)
        XCTAssertEqual(durationError("5sec"), #"unknown unit "sec" in duration "5sec"; use ms, s, m or h"#)
        XCTAssertEqual(durationError("5S"), #"unknown unit "S" in duration "5S"; use ms, s, m or h"#)
        XCTAssertEqual(durationError("5d"), #"unknown unit "d" in duration "5d"; use ms, s, m or h"#)
        XCTAssertEqual(durationError("s"), #"invalid duration "s"; write e.g. "100ms", "5s", "2m" or "1h""#)
        XCTAssertEqual(durationError(".5s"), #"invalid duration ".5s"; write e.g. "100ms", "5s", "2m" or "1h""#)
        XCTAssertEqual(durationError("5.s"), #"invalid duration "5.s"; write e.g. "100ms", "5s", "2m" or "1h""#)
        XCTAssertEqual(durationError("5s!"), #"invalid duration "5s!"; write e.g. "100ms", "5s", "2m" or "1h""#)
        XCTAssertEqual(durationError("99999999999999999999h"), #"duration "99999999999999999999h" is too long"#)
        XCTAssertEqual(durationError("9999999h"), #"duration "9999999h" is too long"#)
    }

    func testDurationFormatting() throws {
        let table: [(Duration, String)] = [
            (.zero, "0s"), (.milliseconds(100), "100ms"), (.seconds(5), "5s"), (.seconds(120), "2m"),
            (.seconds(3600), "1h"), (.seconds(90), "90s"), (.milliseconds(1500), "1500ms"),
            (.microseconds(1500), "0.0015s"), (.nanoseconds(1_000_000_001), "1.000000001s"),
        ]
        for (duration, text) in table {
            XCTAssertEqual(DurationText.format(duration), text)
            XCTAssertEqual(try DurationText.parse(text), duration, "round trip of \(text)")
        }
    }

    func testSizes() throws {
        let table: [(String, Int)] = [
            ("100", 100), ("100B", 100), ("512K", 512 * 1024), ("512k", 512 * 1024), ("10M", 10 << 20),
            ("10MB", 10 << 20), ("10MiB", 10 << 20), ("10 mb", 10 << 20), ("2G", 2 << 30), ("2GiB", 2 << 30),
            ("1T", 1 << 40), ("1.5G", 1_610_612_736), ("0.5K", 512), ("0", 0),
        ]
        for (text, expected) in table {
            XCTAssertEqual(try SizeText.parse(text), expected, text)
        }
        XCTAssertEqual(sizeError("10X"), #"unknown unit "x" in size "10X"; use K, M, G or T"#)
        XCTAssertEqual(sizeError("M"), #"invalid size "M"; write e.g. "512K", "10M", "2G" or a number of bytes"#)
        XCTAssertEqual(
            sizeError("1.2.3M"), #"invalid size "1.2.3M"; write e.g. "512K", "10M", "2G" or a number of bytes"#)
        XCTAssertEqual(sizeError(""), #"empty size; write e.g. "512K", "10M", "2G" or a number of bytes"#)
        XCTAssertEqual(sizeError("-1M"), #"size "-1M" is negative"#)
        XCTAssertEqual(sizeError("99999999999T"), #"size "99999999999T" is too large"#)
        XCTAssertEqual(SizeText.format(10 << 20), "10M")
        XCTAssertEqual(SizeText.format(512 * 1024), "512K")
        XCTAssertEqual(SizeText.format(1_610_612_736), "1536M")
        XCTAssertEqual(SizeText.format(100), "100")
    }

    func testSignals() throws {
        for name in ["SIGTERM", "TERM", "term", "SigTerm"] {
            XCTAssertEqual(try Signal.parseStopSignal(name), .term, name)
        }
        let numbers = ["HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15]
        for (name, number) in numbers {
            let signal = try Signal.parseStopSignal(name)
            XCTAssertEqual(signal.number, Int32(number), name)
            XCTAssertEqual(signal.name, "SIG" + name)
            XCTAssertEqual(signal.shortName, name)
        }
        XCTAssertEqual(Signal(number: 11)?.name, "SIGSEGV")
        XCTAssertEqual(Signal(number: 9), .kill)
        XCTAssertNil(Signal(number: 64))
        XCTAssertEqual(Signal(name: "sigchld")?.number, 17)
        XCTAssertEqual("\(Signal.term)", "SIGTERM")
        XCTAssertThrowsError(try Signal.parseStopSignal("CHLD"))
    }

    func testNameSuggestions() {
        let keys = ["cvatSync", "port", "dependsOn", "readyTimeout", "ready", "maxRestarts"]
        XCTAssertEqual(NameSuggestion.closest(to: "cvatsync", in: keys), "cvatSync")
        XCTAssertEqual(NameSuggestion.closest(to: "CVAT_SYNC", in: keys), "cvatSync")
        XCTAssertEqual(NameSuggestion.closest(to: "prot", in: keys), "port")
        XCTAssertEqual(NameSuggestion.closest(to: "depends", in: keys), "dependsOn")
        XCTAssertEqual(NameSuggestion.closest(to: "readyTimout", in: keys), "readyTimeout")
        XCTAssertEqual(NameSuggestion.closest(to: "redy", in: keys), "ready")
        XCTAssertNil(NameSuggestion.closest(to: "xyz", in: keys))
        XCTAssertNil(NameSuggestion.closest(to: "environment", in: keys))
    }

    func testPaths() {
        XCTAssertEqual(PosixPath.normalized("/a/./b//c/../d/"), "/a/b/d")
        XCTAssertEqual(PosixPath.normalized("/../.."), "/")
        XCTAssertEqual(PosixPath.normalized("a/../../b"), "../b")
        XCTAssertEqual(PosixPath.normalized("./"), ".")
        XCTAssertEqual(PosixPath.normalized(""), ".")
        XCTAssertEqual(PosixPath.normalized("../../a/.."), "../..")
        XCTAssertEqual(PosixPath.normalized("/données/./é..t/../ü"), "/données/ü")
        XCTAssertEqual(PosixPath.normalized("..a/.b/..."), "..a/.b/...")
        XCTAssertEqual(PosixPath.absolute("logs", base: "/srv/x"), "/srv/x/logs")
        XCTAssertEqual(PosixPath.absolute("../logs", base: "/srv/x"), "/srv/logs")
        XCTAssertEqual(PosixPath.absolute("/var/log", base: "/srv/x"), "/var/log")
        XCTAssertEqual(PosixPath.directory(of: "/srv/x/supervisor.json"), "/srv/x")
        XCTAssertEqual(PosixPath.directory(of: "/supervisor.json"), "/")
        XCTAssertEqual(PosixPath.directory(of: "/"), "/")
        XCTAssertEqual(PosixPath.directory(of: "supervisor.json"), ".")
    }

    func testBackoffDelays() {
        let backoff = Backoff()
        XCTAssertEqual(backoff.delay(afterFailures: 1), .milliseconds(100))
        XCTAssertEqual(backoff.delay(afterFailures: 2), .milliseconds(200))
        XCTAssertEqual(backoff.delay(afterFailures: 5), .milliseconds(1600))
        XCTAssertEqual(backoff.delay(afterFailures: 9), .milliseconds(25600))
        XCTAssertEqual(backoff.delay(afterFailures: 10), .seconds(30))
        XCTAssertEqual(backoff.delay(afterFailures: 1000), .seconds(30))
    }
}
