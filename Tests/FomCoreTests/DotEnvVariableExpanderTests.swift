import XCTest

@testable import FomCore

/// `VariableExpander` on its own, as supervisor.json's `env` values use it.
final class DotEnvVariableExpanderTests: XCTestCase {
    private let env = ["A": "a", "EMPTY": "", "PORT": "5151"]

    private func expand(_ text: String) throws -> String {
        let env = self.env
        return try VariableExpander.expand(text, lookup: { env[$0] })
    }

    private func expansionError(_ text: String) -> VariableExpansionError? {
        do {
            _ = try expand(text)
            return nil
        } catch {
            return error as? VariableExpansionError
        }
    }

    func testTextWithoutDollarIsUnchanged() throws {
        XCTAssertEqual(try expand("mongodb://127.0.0.1:27017/{x}"), "mongodb://127.0.0.1:27017/{x}")
    }

    func testNamedAndBracedReferences() throws {
        XCTAssertEqual(try expand("$A-${A}_$PORT/${PORT}x"), "a-a_5151/5151x")
        XCTAssertEqual(try expand("$A_B"), "")  // the name is A_B, unset
        XCTAssertEqual(try expand("${A}_B"), "a_B")
    }

    func testLoneDollarsStay() throws {
        XCTAssertEqual(try expand("$"), "$")
        XCTAssertEqual(try expand("cost: 5$"), "cost: 5$")
        XCTAssertEqual(try expand("$1 $. $ x"), "$1 $. $ x")
    }

    func testDoubleDollarIsOneLiteralDollar() throws {
        XCTAssertEqual(try expand("$$A $$$A $$$$"), "$A $a $$")
        XCTAssertEqual(try expand("$${A}"), "${A}")
    }

    func testOperatorsAfterTheNameOnly() throws {
        XCTAssertEqual(try expand("${A-x:-y}"), "a")
        XCTAssertEqual(try expand("${NOPE-x:-y}"), "x:-y")
        XCTAssertEqual(try expand("${NOPE:-a-b+c?d}"), "a-b+c?d")
    }

    func testNestedDefaultsAndFollowingReferences() throws {
        XCTAssertEqual(try expand("${NOPE:-${EMPTY:-${A}}}"), "a")
        XCTAssertEqual(try expand("${NOPE:-x}-${A}"), "x-a")
        XCTAssertEqual(try expand("${NOPE:-x} and ${PORT:+p}"), "x and p")
    }

    func testOnlyTheBranchThatIsUsedIsExpanded() throws {
        XCTAssertEqual(try expand("${A:-${NOPE:?needed}}"), "a")
        XCTAssertEqual(try expand("${NOPE:+${NOPE2:?needed}}"), "")
        XCTAssertEqual(try expand("${A?${NOPE:?needed}}"), "a")
        XCTAssertEqual(
            expansionError("${NOPE:-${NOPE2:?needed}}"), .missingRequired(variable: "NOPE2", reason: "needed"))
    }

    func testMissingRequiredNamesTheVariableAndTheMessage() {
        XCTAssertEqual(
            expansionError("x ${NOPE:?set NOPE in .env} y").map(String.init(describing:)),
            "required variable NOPE is missing a value: set NOPE in .env")
        XCTAssertEqual(
            expansionError("${EMPTY:?}").map(String.init(describing:)),
            "required variable EMPTY is missing a value")
        XCTAssertNil(expansionError("${EMPTY?}"))
    }

    func testReferenceMustCloseOnTheSameLine() {
        XCTAssertEqual(expansionError("${NOPE:-a\nb}"), .invalidReference("${NOPE:-a"))
        XCTAssertEqual(expansionError("${A"), .invalidReference("${A"))
        XCTAssertEqual(expansionError("${NOPE:-${B}"), .invalidReference("${B"))
    }

    func testInvalidReferencesAreErrorsNotText() {
        for text in ["${}", "${ A}", "${A }", "${A:}", "${A=x}", "${A.B}", "${-x}", "${A:=x}"] {
            XCTAssertNotNil(expansionError(text), text)
        }
    }

    func testUnicodeAroundReferences() throws {
        XCTAssertEqual(try expand("é$A日${A}😀"), "éa日a😀")
    }
}
