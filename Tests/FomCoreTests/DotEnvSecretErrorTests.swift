import XCTest

@testable import FomCore

/// An error about a secret's line names the file, the line and the key, never any of its text:
/// errors reach fom.log, `list`, `describe`, `validate` and the daemon's stderr.
final class DotEnvSecretErrorTests: XCTestCase {
    struct Line {
        let text: String
        let hidden: [String]
        let line: Int
        let key: String
        let source: UInt
    }

    static func l(
        _ text: String, hides hidden: [String], line: Int = 1, key: String = "CVAT_PASSWORD", source: UInt = #line
    ) -> Line {
        Line(text: text, hidden: hidden, line: line, key: key, source: source)
    }

    static let secretLines: [Line] = [
        l("CVAT_PASSWORD=Xk9#${tail", hides: ["Xk9", "tail"]),
        l("CVAT_PASSWORD hunter2", hides: ["hunter2"]),
        l("CVAT_PASSWORD=\"pw\"trailing", hides: ["\"pw\"", "trailing"]),
        l("CVAT_PASSWORD='pw' trailing", hides: ["'pw'", "trailing"]),
        l("CVAT_PASSWORD hunter2!", hides: ["hunter2", "!"]),
        l("CVAT_PASSWORD hunter2=x", hides: ["hunter2"]),
        l("CVAT_PASSWORD\thunter2=x", hides: ["hunter2"]),
        l("CVAT_PASSWORD=${NOPE:?hunter2}", hides: ["hunter2", "NOPE"]),
        l("CVAT_PASSWORD=qq${NOPE?cdef}", hides: ["qq", "cdef", "NOPE"]),
        l("CVAT_PASSWORD=\"Xk9${x:-y\"", hides: ["Xk9", "x:-y"]),
        l("export CVAT_PASSWORD=\"Xk9\"tail", hides: ["Xk9", "tail"]),
        l("export   CVAT_PASSWORD hunter2", hides: ["hunter2"]),
        l("# comment\n\nCVAT_PASSWORD: ${1abc}", hides: ["1abc"], line: 3),
        l("API_TOKEN=zz${tok", hides: ["zz", "tok"], key: "API_TOKEN"),
        l("my_secret_key hunter2", hides: ["hunter2"], key: "my_secret_key"),
        l("DB_PASSWD=\"a\nb\"zqx", hides: ["\"a", "b\"", "zqx"], line: 2, key: "DB_PASSWD"),
        // A quoted value of another key that ends on a secret's line.
        l("A=\"x\nCVAT_PASSWORD=\"hunter2\"", hides: ["hunter2"], line: 2, key: "A"),
        // An expansion error inside a multi-line value that spans a secret's line.
        l("A=\"x\nCVAT_PASSWORD=s3cr${et\"", hides: ["s3cr", "${et"], key: "A"),
    ]

    func testErrorsAboutASecretsLineNameFileLineAndKeyButNoText() {
        for line in Self.secretLines {
            let message: String
            do {
                let entries = try DotEnv.parse(line.text, file: "/srv/.env", lookup: { _ in nil })
                XCTFail("\(line.text.debugDescription) parsed as \(entries)", line: line.source)
                continue
            } catch {
                message = error.description
            }
            XCTAssertTrue(message.hasPrefix("/srv/.env:\(line.line): "), message, line: line.source)
            XCTAssertTrue(message.contains(line.key), message, line: line.source)
            XCTAssertTrue(message.contains("is a secret"), message, line: line.source)
            for piece in line.hidden {
                let rest = message.replacingOccurrences(of: line.key, with: "")
                XCTAssertFalse(rest.contains(piece), "\(message) shows \(piece.debugDescription)", line: line.source)
            }
        }
    }

    func testOtherLinesStillQuoteTheirText() {
        XCTAssertThrowsError(try DotEnv.parse("A=\"b\" trailing", file: ".env", lookup: { _ in nil })) {
            XCTAssertEqual("\($0)", #".env:1: unexpected text after the closing quote of A: "trailing""#)
        }
        XCTAssertThrowsError(try DotEnv.parse("A=x${tail", file: ".env", lookup: { _ in nil })) {
            XCTAssertEqual("\($0)", #".env:1: A: invalid variable reference "${tail""#)
        }
    }

    func testAReasonShowsASecretItMentionsMasked() {
        let text = "CVAT_PASSWORD=hunter22\nA=${NOPE:?the password is $CVAT_PASSWORD}"
        XCTAssertThrowsError(try DotEnv.parse(text, file: ".env", lookup: { _ in nil })) {
            XCTAssertEqual(
                "\($0)", ".env:2: A: required variable NOPE is missing a value: the password is ********")
        }
    }

    func testInstanceEnvErrorsOfASecretShowNoText() {
        let inputs = EnvironmentInputs(
            supervisorEnvironment: [:], instanceEnv: [("CVAT_PASSWORD", "Xk9#${tail")], name: "annotate", id: 0)
        XCTAssertThrowsError(try EnvironmentLayers.build(inputs)) {
            let message = "\($0)"
            XCTAssertTrue(message.hasPrefix("annotate: env CVAT_PASSWORD: "), message)
            XCTAssertFalse(message.contains("Xk9"), message)
            XCTAssertFalse(message.contains("tail"), message)
        }
    }

    func testAnEntryPrintsASecretMasked() {
        XCTAssertEqual(
            "\(DotEnvEntry(key: "CVAT_PASSWORD", value: "hunter2", line: 3))", "CVAT_PASSWORD=******** (line 3)")
        XCTAssertEqual(
            "\(DotEnvEntry(key: "CVAT_URL", value: "http://cvat", line: 1))", "CVAT_URL=http://cvat (line 1)")
    }
}
