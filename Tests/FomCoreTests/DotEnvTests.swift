import XCTest

@testable import FomCore

/// The parser's API beyond single lines: line numbers, order, duplicates, the error value.
final class DotEnvTests: XCTestCase {
    private func parse(_ text: String, file: String = ".env", env: [String: String] = [:]) throws -> [DotEnvEntry] {
        try DotEnv.parse(text, file: file, lookup: { env[$0] })
    }

    func testEntriesCarryTheLineOfTheirDefinition() throws {
        let text = """
            # header

            A=1
            B="multi
            line"
            export C=3
            D: 4
            """
        XCTAssertEqual(
            try parse(text),
            [
                DotEnvEntry(key: "A", value: "1", line: 3),
                DotEnvEntry(key: "B", value: "multi\nline", line: 4),
                DotEnvEntry(key: "C", value: "3", line: 6),
                DotEnvEntry(key: "D", value: "4", line: 7),
            ])
    }

    func testLaterDuplicateWinsButKeepsThePlaceOfTheFirst() throws {
        XCTAssertEqual(
            try parse("A=1\nB=2\nA=3\n"),
            [DotEnvEntry(key: "A", value: "3", line: 3), DotEnvEntry(key: "B", value: "2", line: 2)])
    }

    func testBareNameTakesTheLineItIsOn() throws {
        XCTAssertEqual(try parse("\n\nHOME\n", env: ["HOME": "/h"]), [DotEnvEntry(key: "HOME", value: "/h", line: 3)])
    }

    func testErrorNamesTheFileAndLine() {
        XCTAssertThrowsError(try parse("A=1\nB=\"open\n", file: "/srv/fom/.env.dev")) { error in
            let error = error as! DotEnvError
            XCTAssertEqual(error.file, "/srv/fom/.env.dev")
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.message, "unterminated double-quoted value for B")
            XCTAssertEqual(error.description, "/srv/fom/.env.dev:2: unterminated double-quoted value for B")
        }
    }

    func testErrorDescriptionIsOneLineEvenForMultiLineText() {
        XCTAssertThrowsError(try parse("A=\"a\nb\" c\nd\n")) { error in
            XCTAssertFalse(String(describing: error).contains("\n"))
        }
    }

    func testEnvironmentIsAskedBeforeEarlierLinesWhenExpanding() throws {
        var asked: [String] = []
        _ = try DotEnv.parse("X=file\nY=$X\n", file: ".env") { name in
            asked.append(name)
            return nil
        }
        XCTAssertEqual(asked, ["X"])
        XCTAssertEqual(try parse("X=file\nY=$X\n").last?.value, "file")
        XCTAssertEqual(try parse("X=file\nY=$X\n", env: ["X": "shell"]).last?.value, "shell")
    }

    func testBareNameAbsentFromTheEnvironmentIsNotSet() throws {
        XCTAssertEqual(try parse("MISSING\nA=1\n"), [DotEnvEntry(key: "A", value: "1", line: 2)])
    }

    func testSingleQuotedValueIsNeverExpandedSoTheEnvironmentIsNotAsked() throws {
        var asked = false
        let entries = try DotEnv.parse("A='$X ${Y:?no}'", file: ".env") { _ in
            asked = true
            return nil
        }
        XCTAssertEqual(entries.first?.value, "$X ${Y:?no}")
        XCTAssertFalse(asked)
    }

    func testLargeFileParsesEveryLine() throws {
        let text = (0..<2000).map { "KEY\($0)=\"value \($0)\" # c" }.joined(separator: "\r\n")
        let entries = try parse(text)
        XCTAssertEqual(entries.count, 2000)
        XCTAssertEqual(entries.last, DotEnvEntry(key: "KEY1999", value: "value 1999", line: 2000))
    }
}
