import Foundation
import XCTest

/// `fom validate` does not say a plain "ok" when the env file still holds `.env.example`'s
/// placeholders, or when the running daemon runs another version of supervisor.json.
final class ValidateWarningTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testValidateWarnsAboutPlaceholdersLeftFromEnvExample() throws {
        let root = EndToEndTests.repoRoot
        let h = try FomHarness(config: try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8))
        harness = h
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env.example"))
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 0, validate.err)
        XCTAssertTrue(
            validate.err.contains(h.path(".env") + ":7: CVAT_PASSWORD is still a placeholder"), validate.err)
        XCTAssertFalse(validate.err.contains("change-me"), "a secret's value is never printed: \(validate.err)")
        XCTAssertTrue(validate.out.contains("(1 warning above)"), validate.out)

        try h.write(".env", "CVAT_URL=http://cvat.local\nCVAT_USERNAME=me\nCVAT_PASSWORD='s3cret!'\n")
        let real = h.fom("validate")
        XCTAssertEqual(real.code, 0, real.err)
        XCTAssertEqual(real.err, "")
        XCTAssertFalse(real.out.contains("warning"), real.out)
    }

    func testValidateSaysWhenTheDaemonRunsAnotherVersionOfTheFile() throws {
        let config = #"{"instances": [{"name": "a", "kind": "process", "command": ["sleep", "3017"]}]}"#
        let h = try FomHarness(config: config)
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        let same = h.fom("validate")
        XCTAssertEqual(same.code, 0, same.err)
        XCTAssertEqual(same.err, "")
        try h.write("supervisor.json", config.replacingOccurrences(of: "3017", with: "3018"))
        let changed = h.fom("validate")
        XCTAssertEqual(changed.code, 0, changed.err)
        XCTAssertTrue(changed.err.contains("changed after the daemon read it"), changed.err)
        XCTAssertTrue(changed.out.contains("(1 warning above)"), changed.out)
    }
}
