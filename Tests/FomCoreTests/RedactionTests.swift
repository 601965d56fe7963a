import XCTest

@testable import FomCore

final class RedactionTests: XCTestCase {
    func testSecretNames() {
        for name in [
            "FIFTYONE_CVAT_PASSWORD", "CVAT_PASSWORD", "password", "DB_Passwd", "AWS_SECRET_ACCESS_KEY",
            "client_secret", "FOM_INSTANCE_TOKEN", "GITHUB_TOKEN", "OPENAI_API_KEY", "api_key", "SSH_PRIVATE_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS", "MyCredential",
        ] {
            XCTAssertTrue(Redaction.isSecret(name), name)
        }
        for name in [
            "FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME", "CVAT_EMAIL", "PATH", "HOME", "KEY", "APIKEY", "PASS",
            "TOKE", "FOM_NAME", "PRIVATE",
        ] {
            XCTAssertFalse(Redaction.isSecret(name), name)
        }
    }

    func testDisplayMasksSecretsUnlessRevealed() {
        XCTAssertEqual(Redaction.display(name: "CVAT_PASSWORD", value: "s3cret", reveal: false), "********")
        XCTAssertEqual(Redaction.display(name: "CVAT_PASSWORD", value: "s3cret", reveal: true), "s3cret")
        XCTAssertEqual(Redaction.display(name: "CVAT_URL", value: "http://cvat", reveal: false), "http://cvat")
        XCTAssertEqual(Redaction.mask, "********")
    }

    func testEmptySecretShowsAsEmpty() {
        XCTAssertEqual(Redaction.display(name: "CVAT_PASSWORD", value: "", reveal: false), "")
    }

    func testMaskReplacesEveryOccurrence() {
        XCTAssertEqual(
            Redaction.mask(secrets: ["s3cret"], in: "login django:s3cret failed; retry s3cret"),
            "login django:******** failed; retry ********")
    }

    func testMaskSkipsValuesShorterThanFourCharacters() {
        XCTAssertEqual(Redaction.mask(secrets: ["abc", "", "1"], in: "abc 1 abcd"), "abc 1 abcd")
        XCTAssertEqual(Redaction.mask(secrets: ["abcd"], in: "abc abcd"), "abc ********")
        XCTAssertEqual(Redaction.mask(secrets: ["日本語x"], in: "a日本語xb"), "a********b")
    }

    func testMaskPrefersTheLongestSecret() {
        XCTAssertEqual(Redaction.mask(secrets: ["pass", "password1"], in: "password1 pass"), "******** ********")
        XCTAssertEqual(Redaction.mask(secrets: ["password1", "pass"], in: "xpassword1x"), "x********x")
    }

    func testMaskWithoutSecretsKeepsTheText() {
        XCTAssertEqual(Redaction.mask(secrets: [], in: "nothing to hide"), "nothing to hide")
    }

    func testMaskFindsSecretsNextToCombiningMarksAndAcrossLines() {
        XCTAssertEqual(Redaction.mask(secrets: ["secret"], in: "secret\u{301}!"), "********\u{301}!")
        XCTAssertEqual(Redaction.mask(secrets: ["line1\nline2"], in: "[line1\nline2]"), "[********]")
    }
}
