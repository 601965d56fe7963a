import FomCore
import XCTest

/// FiftyOne's parsing of FIFTYONE_CVAT_* values (fiftyone/core/config.py, _parse_env_value), as
/// doctor predicts it when FiftyOne itself cannot be asked.
final class FiftyOneValueRulesTests: XCTestCase {
    func testGoldenTableOfValues() {
        let table: [(String, FiftyOneValueKind)] = [
            ("s3cret-pass", .text),
            ("fiftyone", .text),
            ("http://localhost:8080", .text),
            ("12345", .integer),
            ("-5", .integer),
            ("+7", .integer),
            (" 42 ", .integer),
            ("1_000", .integer),
            ("0012", .integer),
            ("1__0", .text),
            ("_1", .text),
            ("0x10", .text),
            ("1.5", .decimal),
            ("1.", .decimal),
            (".5", .decimal),
            ("1e5", .decimal),
            ("+.5E-3", .decimal),
            ("nan", .decimal),
            ("-Infinity", .decimal),
            ("inf", .decimal),
            ("1e", .text),
            ("true", .boolean),
            ("True", .boolean),
            ("false", .boolean),
            ("False", .boolean),
            ("TRUE", .text),
            ("None", .none),
            ("", .none),
            ("one,two", .list(count: 2)),
            ("a,b,c", .list(count: 3)),
            (",", .list(count: 2)),
            ("1,5", .list(count: 2)),
        ]
        for (value, kind) in table {
            XCTAssertEqual(FiftyOneValueRules.kind(of: value), kind, "\"\(value)\"")
        }
    }

    func testDescriptionsSayWhatTheValueBecomes() {
        XCTAssertEqual(FiftyOneValueKind.list(count: 2).description, "a list of 2 values (it splits at ',')")
        XCTAssertEqual(FiftyOneValueKind.integer.description, "a whole number")
        XCTAssertEqual(FiftyOneValueKind.boolean.description, "a boolean")
    }
}
