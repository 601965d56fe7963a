import XCTest

@testable import FomCore

final class RedactionTests: XCTestCase {
    func testSecretNames() {
        for name in [
            "FIFTYONE_CVAT_PASSWORD", "CVAT_PASSWORD", "password", "DB_Passwd", "AWS_SECRET_ACCESS_KEY",
            "client_secret", "FOM_INSTANCE_TOKEN", "GITHUB_TOKEN", "OPENAI_API_KEY", "api_key", "SSH_PRIVATE_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS", "MyCredential", "db_paßword", "Ünicode_Token",
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
        XCTAssertEqual(SecretValues().display(name: "CVAT_PASSWORD", value: "s3cret", reveal: false), "********")
        XCTAssertEqual(SecretValues().display(name: "CVAT_PASSWORD", value: "s3cret", reveal: true), "s3cret")
        XCTAssertEqual(SecretValues().display(name: "CVAT_URL", value: "http://cvat", reveal: false), "http://cvat")
        XCTAssertEqual(Redaction.mask, "********")
    }

    func testEmptySecretShowsAsEmpty() {
        XCTAssertEqual(SecretValues().display(name: "CVAT_PASSWORD", value: "", reveal: false), "")
    }

    func testMaskReplacesEveryOccurrence() {
        XCTAssertEqual(
            SecretValues(["s3cret"]).mask("login django:s3cret failed; retry s3cret"),
            "login django:******** failed; retry ********")
    }

    func testMaskSkipsValuesShorterThanFourCharacters() {
        XCTAssertEqual(SecretValues(["abc", "", "1"]).mask("abc 1 abcd"), "abc 1 abcd")
        XCTAssertEqual(SecretValues(["abcd"]).mask("abc abcd"), "abc ********")
        XCTAssertEqual(SecretValues(["日本語x"]).mask("a日本語xb"), "a********b")
    }

    func testMaskPrefersTheLongestSecret() {
        XCTAssertEqual(SecretValues(["pass", "password1"]).mask("password1 pass"), "******** ********")
        XCTAssertEqual(SecretValues(["password1", "pass"]).mask("xpassword1x"), "x********x")
    }

    func testMaskWithoutSecretsKeepsTheText() {
        XCTAssertEqual(SecretValues().mask("nothing to hide"), "nothing to hide")
    }

    func testMaskFindsSecretsNextToCombiningMarksAndAcrossLines() {
        XCTAssertEqual(SecretValues(["secret"]).mask("secret\u{301}!"), "********\u{301}!")
        XCTAssertEqual(SecretValues(["line1\nline2"]).mask("[line1\nline2]"), "[********]")
    }
}
