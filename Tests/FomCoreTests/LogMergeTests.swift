import FomCore
import XCTest

/// stdout, stderr and fom's events as one stream in the order they were written, and the
/// `--since` / `--grep` filters.
final class LogMergeTests: XCTestCase {
    func lines(_ text: String) -> [[UInt8]] { text.split(separator: "\n").map { Array($0.utf8) } }
    func texts(_ merged: [LogLine]) -> [String] {
        merged.map { "\($0.source) " + String(decoding: $0.bytes, as: UTF8.self) }
    }

    func testLinesOfSeveralFilesComeOutInTimeOrder() {
        let out = lines(
            "2026-11-27T10:00:00.100Z out one\n2026-11-27T10:00:00.300Z out two\n2026-11-27T10:00:01.000Z out three")
        let err = lines("2026-11-27T10:00:00.200Z err one\n2026-11-27T10:00:00.900Z err two")
        XCTAssertEqual(
            texts(LogMerge.merge([out, err])),
            [
                "0 2026-11-27T10:00:00.100Z out one", "1 2026-11-27T10:00:00.200Z err one",
                "0 2026-11-27T10:00:00.300Z out two", "1 2026-11-27T10:00:00.900Z err two",
                "0 2026-11-27T10:00:01.000Z out three",
            ])
    }

    func testEqualTimesKeepTheSourceOrderAndUntimedLinesStayWithTheLineBefore() {
        let out = lines("2026-11-27T10:00:00.500Z a\ncontinued piece\n2026-11-27T10:00:02.000Z b")
        let err = lines("2026-11-27T10:00:00.500Z c\n2026-11-27T10:00:01.000Z d")
        XCTAssertEqual(
            texts(LogMerge.merge([out, err])).map { String($0.prefix(1)) + String($0.suffix(1)) },
            ["0a", "0e", "1c", "1d", "0b"])
    }

    func testFilesWithoutTimesStayInBlocks() {
        XCTAssertEqual(texts(LogMerge.merge([lines("a\nb"), lines("c")])), ["0 a", "0 b", "1 c"])
    }

    func testTimestampMustHaveTheExactForm() {
        XCTAssertNotNil(LogTimestamp.time(of: Array("2026-11-27T10:00:00.500Z x".utf8)))
        XCTAssertNil(LogTimestamp.time(of: Array("2026-11-27 10:00:00.500Z x".utf8)))
        XCTAssertNil(LogTimestamp.time(of: Array("2026-11-27T10:00:00.500Z".utf8)), "no text after it")
        XCTAssertNil(LogTimestamp.time(of: Array("{\"t\":{\"$date\":\"2026-11-27T10:00:00.500Z\"}}".utf8)))
    }

    func testSinceAndGrep() {
        let merged = LogMerge.merge([
            lines(
                "2026-11-27T10:00:00.000Z Old line\n2026-11-27T10:05:00.000Z New Error here\n2026-11-27T10:06:00.000Z new ok"
            )
        ])
        let since = LogFilter(since: Array("2026-11-27T10:04:00.000Z".utf8))
        XCTAssertEqual(merged.filter(since.matches).count, 2)
        XCTAssertEqual(merged.filter(LogFilter(grep: "error").matches).count, 1, "lower case ignores case")
        XCTAssertEqual(merged.filter(LogFilter(grep: "Error").matches).count, 1)
        XCTAssertEqual(merged.filter(LogFilter(grep: "ERROR").matches).count, 0, "capitals match exactly")
        XCTAssertEqual(
            merged.filter(LogFilter(since: Array("2026-11-27T10:04:00.000Z".utf8), grep: "new").matches).count, 2)
        XCTAssertEqual(LogMerge.merge([lines("no time")]).filter(since.matches).count, 0)
    }
}
