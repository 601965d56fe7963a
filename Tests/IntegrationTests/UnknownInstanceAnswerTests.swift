import Foundation
import XCTest

/// Every command that takes an id answers an unknown one the same way, with or without a
/// daemon: the ids and names there are, and a "did you mean" when a name is close.
final class UnknownInstanceAnswerTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    let commands: [[String]] = [
        ["describe", "X"], ["env", "X"], ["exec", "X", "--", "true"], ["logs", "X"], ["flush", "X"],
        ["start", "X"], ["stop", "X"], ["restart", "X"],
    ]

    func answers(_ h: FomHarness, _ target: String) -> [String: FomHarness.Result] {
        var result: [String: FomHarness.Result] = [:]
        for command in commands {
            result[command[0]] = h.run(command.map { $0 == "X" ? target : $0 })
        }
        return result
    }

    func testEveryCommandAnswersAnUnknownIdTheSameWay() throws {
        let h = try FomHarness(
            config: """
                {"instances": [
                  {"name": "web", "kind": "process", "command": ["sleep", "3015"]},
                  {"name": "review", "kind": "process", "command": ["sleep", "3016"], "autostart": false}
                ]}
                """)
        harness = h
        // Without a daemon (stop, start and restart would start one: they are checked below).
        for (command, result) in answers(h, "9") where !["start", "stop", "restart"].contains(command) {
            XCTAssertEqual(result.code, 1, "\(command): \(result.err)")
            XCTAssertEqual(
                result.err.trimmingCharacters(in: .newlines),
                "fom \(command): unknown instance \"9\" (known: 0 web, 1 review)", command)
        }
        XCTAssertEqual(h.fom("ping").code, 0)
        // With a daemon: the same words, for an id and for a misspelt name.
        for (command, result) in answers(h, "9") {
            XCTAssertEqual(result.code, 1, "\(command): \(result.err)")
            XCTAssertTrue(
                result.err.contains("unknown instance \"9\" (known: 0 web, 1 review)"), "\(command): \(result.err)")
        }
        for (command, result) in answers(h, "reviw") {
            XCTAssertEqual(result.code, 1, "\(command): \(result.err)")
            XCTAssertTrue(
                result.err.contains("unknown instance \"reviw\"; did you mean \"review\"? (known: 0 web, 1 review)"),
                "\(command): \(result.err)")
        }
    }
}
