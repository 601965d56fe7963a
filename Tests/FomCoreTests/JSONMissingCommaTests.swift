import FomCore
import XCTest

/// A missing comma at the end of a line is reported where the next value starts, one line
/// later; the error then also names the line that lacks the comma.
final class JSONMissingCommaTests: XCTestCase {
    private func syntaxError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try JSONReader.parse(text)
            XCTFail("parsed, expected an error", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    func testMissingCommaBetweenMembersNamesTheLineBefore() {
        let text = "{\n  \"name\": \"review\"\n  \"port\": 5152\n}"
        XCTAssertEqual(
            syntaxError(text), "3:3: expected ',' or '}' after object member; missing ',' after line 2?")
    }

    func testMissingCommaBetweenArrayElementsNamesTheLineBefore() {
        XCTAssertEqual(
            syntaxError("[\n  {\"a\": 1}\n  {\"b\": 2}\n]"),
            "3:3: expected ',' or ']' after array element; missing ',' after line 2?")
        XCTAssertEqual(
            syntaxError("[\n  1\n\n  true\n]"),
            "4:3: expected ',' or ']' after array element; missing ',' after line 2?")
    }

    func testNoCommaHintOnTheSameLineOrBeforeAClosingBracket() {
        XCTAssertEqual(syntaxError("{\"a\": 1 \"b\": 2}"), "1:9: expected ',' or '}' after object member")
        XCTAssertEqual(syntaxError("{\n  \"a\": 1\n  ]"), "3:3: expected ',' or '}' after object member")
        XCTAssertEqual(syntaxError("{\"a\": 1"), "1:8: expected ',' or '}' after object member")
    }

    func testConfigErrorCarriesTheHintWithFileAndLine() {
        let text = """
            {
              "instances": [
                { "name": "a", "kind": "process", "command": ["true"] }
                { "name": "b", "kind": "process", "command": ["true"] }
              ]
            }
            """
        do {
            _ = try SupervisorConfig.parse(text: text, path: "supervisor.json")
            XCTFail("expected the config to be rejected")
        } catch {
            XCTAssertEqual(
                error.diagnostics.map(\.description),
                ["supervisor.json:4:5: expected ',' or ']' after array element; missing ',' after line 3?"])
        }
    }
}
