import FomCore
import XCTest

/// `fom logs --since`: a span back from a given "now", or a time (UTC unless it names an offset).
final class LogSinceTests: XCTestCase {
    /// 2026-12-07T12:00:00.000Z.
    let now: Int64 = 1_796_644_800_000

    func at(_ text: String) throws -> String {
        Timestamp.iso8601(epochMilliseconds: try LogSince.cutoff(text, nowMilliseconds: now))
    }

    func testNowIsWhatTheTestsSayItIs() {
        XCTAssertEqual(Timestamp.iso8601(epochMilliseconds: now), "2026-12-07T12:00:00.000Z")
    }

    func testSpansCountBackFromNow() throws {
        let cases: [(String, String)] = [
            ("90s", "2026-12-07T11:58:30.000Z"),
            ("10m", "2026-12-07T11:50:00.000Z"),
            ("1h30m", "2026-12-07T10:30:00.000Z"),
            ("2h", "2026-12-07T10:00:00.000Z"),
            ("2d", "2026-12-05T12:00:00.000Z"),
            ("1d12h", "2026-12-06T00:00:00.000Z"),
            ("1.5s", "2026-12-07T11:59:58.500Z"),
            ("250ms", "2026-12-07T11:59:59.750Z"),
            ("0s", "2026-12-07T12:00:00.000Z"),
            (" 10m ", "2026-12-07T11:50:00.000Z"),
        ]
        for (text, expected) in cases { XCTAssertEqual(try at(text), expected, text) }
    }

    func testASpanLongerThanSinceTheEpochShowsEverything() throws {
        XCTAssertEqual(try LogSince.cutoff("100000d", nowMilliseconds: now), 0)
    }

    func testTimesAreUTCUnlessTheyNameAnOffset() throws {
        let cases: [(String, String)] = [
            ("2026-12-07T05:30:54.473Z", "2026-12-07T05:30:54.473Z"),
            ("2026-12-07T05:30:54Z", "2026-12-07T05:30:54.000Z"),
            ("2026-12-07T05:30:54", "2026-12-07T05:30:54.000Z"),
            ("2026-12-07 05:30", "2026-12-07T05:30:00.000Z"),
            ("2026-12-07", "2026-12-07T00:00:00.000Z"),
            ("2026-12-07T05:30:54.4737Z", "2026-12-07T05:30:54.473Z"),
            ("2026-12-07T07:30:00+02:00", "2026-12-07T05:30:00.000Z"),
            ("2026-12-07T00:30:00-0500", "2026-12-07T05:30:00.000Z"),
            ("2024-02-29", "2024-02-29T00:00:00.000Z"),
            ("1970-01-01", "1970-01-01T00:00:00.000Z"),
        ]
        for (text, expected) in cases { XCTAssertEqual(try at(text), expected, text) }
    }

    func testJunkNegativeAndOverflowAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("-5m", "negative"),
            ("10", "needs a unit"),
            ("10x", "unknown unit"),
            ("1w", "unknown unit"),
            ("abc", "invalid duration"),
            ("99999999999999999999s", "too long"),
            ("9999999999d", "too long"),
            ("2026-13-01", "not a valid date"),
            ("2025-02-29", "not a valid date"),
            ("2026-12-07T24:00", "not a valid date"),
            ("1969-12-31", "not a valid date"),
            ("2026-12-07T05", "not a time"),
            ("2026-12-07T05:30:54Q", "not a time"),
            ("2026-12-07T05:30:54.Z", "not a time"),
            ("2026-12-07T05:30+25:00", "not a time"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try LogSince.cutoff(text, nowMilliseconds: now), text) { error in
                let message = (error as? ConfigValueError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains(reason), "\(text): \(message)")
            }
        }
    }

    func testSupervisorJSONDurationsStillHaveNoDays() {
        XCTAssertThrowsError(try DurationText.parse("2d"))
        XCTAssertEqual(try DurationText.parse("2d", days: true), .seconds(172_800))
        XCTAssertEqual(DurationText.format(.seconds(86_400)), "24h")
    }
}
