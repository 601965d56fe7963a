import XCTest

@testable import FomCore

/// The one rule for what is secret (`SecretValues`): a secret's name, or a value that holds the
/// value of one; `fom env` masks by it and `fom export` puts into the Secret by it.
final class SecretValuesTests: XCTestCase {
    static let dotenv = "CVAT_URL=http://cvat:8080\nCVAT_USERNAME=bob\nCVAT_PASSWORD=hunter2pw\n"

    func testAValueThatHoldsASecretsValueIsMaskedWhole() {
        let secrets = SecretValues(variables: [(key: "CVAT_PASSWORD", value: "hunter2pw")])
        let shown = secrets.display(
            ["DB_URL": "mongodb://bob:hunter2pw@h/x", "FOO": "hunter2pw", "CVAT_PASSWORD": "hunter2pw", "A": "b"],
            reveal: false)
        XCTAssertEqual(
            shown, ["DB_URL": Redaction.mask, "FOO": Redaction.mask, "CVAT_PASSWORD": Redaction.mask, "A": "b"])
        XCTAssertTrue(secrets.isSecret(name: "DB_URL", value: "mongodb://bob:hunter2pw@h/x"))
        XCTAssertFalse(secrets.isSecret(name: "DB_URL", value: "mongodb://bob@h/x"))
    }

    func testRevealShowsEveryValue() {
        let secrets = SecretValues(["hunter2pw"])
        let variables = ["DB_URL": "mongodb://bob:hunter2pw@h/x", "API_TOKEN": "t0k", "A": "b"]
        XCTAssertEqual(secrets.display(variables, reveal: true), variables)
        XCTAssertEqual(secrets.display(name: "DB_URL", value: "x-hunter2pw", reveal: true), "x-hunter2pw")
    }

    func testAnEmptySecretMasksNothingAndShowsAsEmpty() {
        let secrets = SecretValues(variables: [(key: "CVAT_PASSWORD", value: "")])
        XCTAssertTrue(secrets.isEmpty)
        XCTAssertEqual(secrets.display(name: "PATH", value: "/usr/bin", reveal: false), "/usr/bin")
        XCTAssertEqual(secrets.display(name: "CVAT_PASSWORD", value: "", reveal: false), "")
        XCTAssertEqual(secrets.mask("nothing to hide"), "nothing to hide")
    }

    func testAShortSecretIsMaskedUnderItsOwnNameOnly() {
        let secrets = SecretValues(variables: [(key: "API_TOKEN", value: "ab1")])
        XCTAssertEqual(secrets.display(name: "API_TOKEN", value: "ab1", reveal: false), Redaction.mask)
        XCTAssertEqual(secrets.display(name: "LABEL", value: "xab1y", reveal: false), "xab1y")
        XCTAssertEqual(SecretValues(["abcd"]).display(name: "LABEL", value: "xabcdy", reveal: false), Redaction.mask)
    }

    func testOnlySecretNamedValuesCount() {
        let secrets = SecretValues(variables: [
            (key: "CVAT_USERNAME", value: "annotator"), (key: "GITHUB_TOKEN", value: "ghp-123456"),
        ])
        XCTAssertEqual(secrets.values, ["ghp-123456"])
    }

    func testASecretIsFoundNextToACombiningMark() {
        let secrets = SecretValues(["secret"])
        XCTAssertTrue(secrets.isSecret(name: "NOTE", value: "secret\u{301}"))
        XCTAssertEqual(secrets.mask("secret\u{301}!"), "********\u{301}!")
    }

    func testAnUnsyncedInstanceKnowsTheCVATPasswordItDoesNotGet() throws {
        let dotenv = try DotEnv.parse(Self.dotenv, file: ".env", lookup: { _ in nil })
        let env = try EnvironmentLayers.build(
            EnvironmentInputs(
                supervisorEnvironment: ["PATH": "/usr/bin"], dotenv: dotenv,
                instanceEnv: [("DB_URL", "mongodb://bob:${CVAT_PASSWORD}@h/x"), ("FOO", "$CVAT_PASSWORD")],
                name: "app", id: 0))
        XCTAssertNil(env.variables["CVAT_PASSWORD"])
        XCTAssertEqual(env.secrets.values, ["hunter2pw"])
        let shown = env.displayLines(reveal: false)
        XCTAssertTrue(shown.contains("DB_URL=********"), "\(shown)")
        XCTAssertTrue(shown.contains("FOO=********"), "\(shown)")
        XCTAssertFalse(shown.joined(separator: "\n").contains("hunter2pw"), "\(shown)")
        XCTAssertTrue(env.displayLines(reveal: true).contains("DB_URL=mongodb://bob:hunter2pw@h/x"))
    }

    func testExportPutsIntoTheSecretExactlyWhatEnvMasks() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "app", "port": 5151, "env": {"DB_URL": "mongodb://bob:${CVAT_PASSWORD}@h/x",
                   "FOO": "$CVAT_PASSWORD", "PLAIN": "mongodb://bob@h/x", "SHORT": "x", "API_TOKEN": "t0k3n-value"}}
                ]}
                """, env: Self.dotenv)
        let plan = try fixture.plan()
        let exported = try XCTUnwrap(plan.instances.first).environment
        let inSecret = Set(
            exported.compactMap { variable -> String? in
                if case .secret = variable.value { return variable.name }
                return nil
            })
        let environment = try XCTUnwrap(fixture.input.environments["app"])
        let masked = Set(
            environment.displayLines(reveal: false).filter { $0.hasSuffix("=" + Redaction.mask) }.map {
                String($0.prefix { $0 != "=" })
            })
        XCTAssertEqual(inSecret, ["DB_URL", "FOO", "API_TOKEN"])
        XCTAssertEqual(masked, inSecret)
    }

    func testAReasonQuotingAnEarlierSecretValueIsMasked() {
        for text in [
            "CVAT_PASSWORD=hunter2pw\nDB=${NOPE:?the pw is hunter2pw}",
            "CVAT_PASSWORD=hunter2pw\nDB=\"x\" hunter2pw",
            "CVAT_PASSWORD=hunter2pw\nDB=${hunter2pw",
        ] {
            XCTAssertThrowsError(try DotEnv.parse(text, file: ".env", lookup: { _ in nil })) {
                let message = "\($0)"
                XCTAssertTrue(message.hasPrefix(".env:2: "), message)
                XCTAssertTrue(message.contains("DB"), message)
                XCTAssertFalse(message.contains("hunter2pw"), message)
            }
        }
    }

    func testAnInstanceEnvReasonQuotingASecretValueIsMasked() throws {
        let dotenv = try DotEnv.parse(Self.dotenv, file: ".env", lookup: { _ in nil })
        let inputs = EnvironmentInputs(
            supervisorEnvironment: [:], dotenv: dotenv, instanceEnv: [("DB", "${NOPE:?the pw is hunter2pw}")],
            name: "app", id: 0)
        XCTAssertThrowsError(try EnvironmentLayers.build(inputs)) {
            XCTAssertEqual("\($0)", "app: env DB: required variable NOPE is missing a value: the pw is ********")
        }
    }
}
