import FomCore
import Foundation
import XCTest

final class JSONReaderTests: XCTestCase {
    private func syntaxError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let node = try JSONReader.parse(text)
            XCTFail("parsed, expected an error: \(node.value)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    func testParsesEveryKindOfValue() throws {
        let value = try JSONValue(
            parsing: #"{"a": null, "b": true, "c": false, "d": -12.5e2, "e": "x", "f": [1, [2]], "g": {}}"#)
        XCTAssertEqual(value["a"], .null)
        XCTAssertEqual(value["b"]?.boolValue, true)
        XCTAssertEqual(value["c"]?.boolValue, false)
        XCTAssertEqual(value["d"]?.doubleValue, -1250)
        XCTAssertEqual(value["d"]?.numberValue?.text, "-12.5e2")
        XCTAssertEqual(value["e"]?.stringValue, "x")
        XCTAssertEqual(value["f"]?[1]?[0]?.intValue, 2)
        XCTAssertEqual(value["g"]?.objectValue?.isEmpty, true)
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["e"]?["x"])
        XCTAssertNil(value["f"]?[5])
    }

    func testKeepsKeyOrder() throws {
        let value = try JSONValue(parsing: #"{"z": 1, "a": 2, "m": 3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
        XCTAssertEqual(value.serialized(), #"{"z":1,"a":2,"m":3}"#)
    }

    func testIntegersStayExact() throws {
        let value = try JSONValue(parsing: "[9223372036854775807, -9223372036854775808, 9007199254740993, 1.0, 1e3]")
        XCTAssertEqual(value[0]?.intValue, Int.max)
        XCTAssertEqual(value[1]?.intValue, Int.min)
        XCTAssertEqual(value[2]?.intValue, 9_007_199_254_740_993)
        XCTAssertNil(value[3]?.intValue, "a number written with a fraction is not an Int")
        XCTAssertEqual(value[3]?.doubleValue, 1.0)
        XCTAssertEqual(value[4]?.doubleValue, 1000)
        XCTAssertEqual(value.serialized(), "[9223372036854775807,-9223372036854775808,9007199254740993,1.0,1e3]")
        XCTAssertNil(try JSONValue(parsing: "18446744073709551616").intValue, "beyond Int")
    }

    func testNumbersCompareByValue() {
        XCTAssertEqual(JSONNumber(text: "1.0"), JSONNumber(1))
        XCTAssertEqual(JSONNumber(text: "1e2"), JSONNumber(100))
        XCTAssertNotEqual(JSONNumber(text: "9007199254740993"), JSONNumber(text: "9007199254740992"))
        XCTAssertNil(JSONNumber(text: "01"))
        XCTAssertNil(JSONNumber(text: "+1"))
        XCTAssertNil(JSONNumber(.infinity))
        XCTAssertEqual(JSONValue(Double.nan), .null)
    }

    func testStringEscapesAndUnicode() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00 é€😀""#)
        XCTAssertEqual(value.stringValue, "a\"b\\c/d\u{8}\u{C}\n\r\tAé€😀 é€😀")
    }

    func testByteOrderMarkIsSkipped() throws {
        let node = try JSONReader.parse("\u{FEFF}{\"a\": 1}")
        XCTAssertEqual(node.value["a"]?.intValue, 1)
        XCTAssertEqual(node.position, JSONPosition(line: 1, column: 1))
    }

    func testPositionsOfValuesAndKeys() throws {
        let text = """
            {
              "name": "a",
              "list": [1,
                 true],
              "é": {"x": null}
            }
            """
        let node = try JSONReader.parse(text)
        XCTAssertEqual(node.position, JSONPosition(line: 1, column: 1))
        guard case .object(let members) = node.content else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["name", "list", "é"])
        XCTAssertEqual(members[0].keyPosition, JSONPosition(line: 2, column: 3))
        XCTAssertEqual(members[0].value.position, JSONPosition(line: 2, column: 11))
        XCTAssertEqual(node["list"]?.position, JSONPosition(line: 3, column: 11))
        guard case .array(let elements) = node["list"]?.content else { return XCTFail("not an array") }
        XCTAssertEqual(elements[0].position, JSONPosition(line: 3, column: 12))
        XCTAssertEqual(elements[1].position, JSONPosition(line: 4, column: 6))
        // Columns count scalars: "é" is two bytes but one column.
        XCTAssertEqual(node["é"]?.position, JSONPosition(line: 5, column: 8))
        XCTAssertEqual(node["é"]?["x"]?.position, JSONPosition(line: 5, column: 14))
    }

    func testColumnsAfterMultibyteTextOnALongLine() throws {
        let text = "[" + String(repeating: "\"ü\",", count: 1000) + "x]"
        XCTAssertEqual(syntaxError(text), "1:4002: invalid literal 'x' (JSON has true, false and null)")
    }

    func testSyntaxErrorsHaveLineAndColumn() {
        let cases: [(String, String)] = [
            ("", "1:1: empty input"),
            ("  \n  ", "2:3: empty input"),
            ("{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}' after object member"),
            ("{\"a\": 1", "1:8: expected ',' or '}' after object member"),
            ("[1 2]", "1:4: expected ',' or ']' after array element"),
            ("[1,]", "1:4: trailing comma before ']'"),
            ("{\"a\": 1,}", "1:9: trailing comma before '}'"),
            ("{\"a\": 1, 2}", "1:10: expected a string key after ','"),
            ("{a: 1}", "1:2: expected a string key or '}'"),
            ("{\"a\" 1}", "1:6: expected ':' after object key"),
            ("{\"a\":}", "1:6: unexpected '}', expected a value"),
            ("[", "1:2: unexpected end of input, expected a value"),
            ("{\n  \"name\": \"abc,\n  \"port\": 1\n}", "2:11: unterminated string"),
            ("\"abc", "1:1: unterminated string"),
            ("\"a\tb\"", "1:3: control character U+0009 in string (escape it)"),
            ("\"a\\qb\"", "1:3: invalid escape '\\q'"),
            ("\"\\u12G4\"", "1:2: invalid \\u escape (needs 4 hex digits)"),
            ("\"\\ud83d\"", "1:2: unpaired surrogate in \\u escape"),
            ("\"\\ude00\"", "1:2: unpaired surrogate in \\u escape"),
            ("\"\\ud83d\\u0041\"", "1:2: unpaired surrogate in \\u escape"),
            ("{} x", "1:4: unexpected 'x' after the JSON value"),
            ("1 2", "1:3: unexpected '2' after the JSON value"),
            ("[01]", "1:2: invalid number '01'"),
            ("-", "1:1: invalid number '-'"),
            ("1.", "1:1: invalid number '1.'"),
            ("1e", "1:1: invalid number '1e'"),
            (".5", "1:1: unexpected '.', expected a value"),
            ("[1, True]", "1:5: invalid literal 'True' (JSON has true, false and null)"),
            ("nul", "1:1: invalid literal 'nul' (JSON has true, false and null)"),
            ("['a']", "1:2: strings must use double quotes"),
            ("{\n  // note\n}", "2:3: comments are not allowed in JSON"),
            ("{\"a\": 1 /* note */}", "1:9: comments are not allowed in JSON"),
            ("[1] // end", "1:5: comments are not allowed in JSON"),
            ("{\"a\": 1, \"a\": 2}", "1:10: duplicate key \"a\""),
            ("[\u{00A0}1]", "1:2: unexpected U+00A0, expected a value"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(syntaxError(text), expected, "input: \(text.debugDescription)")
        }
    }

    func testDuplicateKeyInABigObject() {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        XCTAssertEqual(syntaxError("{\(members), \"k33\": 0}").hasSuffix("duplicate key \"k33\""), true)
    }

    func testNestingLimit() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try JSONReader.parse(deepest))
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        XCTAssertEqual(syntaxError(tooDeep), "1:513: nesting deeper than 512 levels")
        let objects = String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)
        XCTAssertEqual(syntaxError(objects), "1:2561: nesting deeper than 512 levels")
    }

    /// A hostile line on the control socket cannot overflow the stack of the thread that parses
    /// it: parsing keeps containers on the heap, and the depth limit bounds what writing needs.
    func testDeepestDocumentFitsASmallThreadStack() {
        let deepest = String(repeating: "[{\"a\":", count: 256) + "1" + String(repeating: "}]", count: 256)
        let done = expectation(description: "parsed")
        let thread = Thread {
            let value = try? JSONValue(parsing: deepest)
            let fits = value?.serialized(pretty: true).hasSuffix("}\n]") == true
            let tooDeep = (try? JSONReader.parse("[" + deepest + "]")) == nil
            XCTAssertTrue(fits)
            XCTAssertTrue(tooDeep)
            done.fulfill()
        }
        thread.stackSize = 1 << 20
        thread.start()
        wait(for: [done], timeout: 30)
    }

    func testBytesMustBeUTF8() throws {
        XCTAssertEqual(try JSONValue(parsing: Array("{\"a\":\"é\"}".utf8))["a"]?.stringValue, "é")
        XCTAssertThrowsError(try JSONValue(parsing: [0x5B, 0x22, 0x0A, 0xFF, 0x22, 0x5D])) { error in
            XCTAssertEqual("\(error)", "2:1: invalid UTF-8")
        }
    }

    func testErrorExposesLineAndColumn() {
        do {
            _ = try JSONReader.parse("{\n  \"a\": tru\n}")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.column, 8)
            XCTAssertEqual(error.message, "invalid literal 'tru' (JSON has true, false and null)")
        }
    }

    func testUnquotedTextIsNotQuotedBackInTheError() {
        // A value meant as a string (a password) must not reach the error, and so fom.log or a terminal.
        let error = syntaxError(#"{"env": {"CVAT_PASSWORD": hunter2}}"#)
        XCTAssertFalse(error.contains("hunter2"), error)
        XCTAssertTrue(error.contains("a string needs double quotes"), error)
    }
}
