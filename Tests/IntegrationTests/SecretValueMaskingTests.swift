import Foundation
import XCTest

/// A variable whose value holds a secret's value is masked like the secret itself, by the real
/// daemon for every client (`fom env`, the socket), unless `--reveal`; and no error quotes a
/// secret's value, in whichever variable's message it appears.
final class SecretValueMaskingTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    static let password = "hunter2pw"
    static let url = "mongodb://bob:hunter2pw@h/x"

    func make() throws -> FomHarness {
        harness = try FomHarness(
            config: """
                { "instances": [
                    {"name": "job", "kind": "process", "minUptime": "100ms",
                     "env": {"DB_URL": "mongodb://bob:${CVAT_PASSWORD}@h/x", "FOO": "$CVAT_PASSWORD", "PLAIN": "visible"},
                     "command": ["/bin/sh", "-c", "exec sleep 3113"]}
                ] }
                """)
        try harness.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=bob\nCVAT_PASSWORD=\(Self.password)\n")
        return harness
    }

    func testEnvOfARunningInstanceMasksValuesHoldingThePasswordUnlessRevealed() throws {
        let h = try make()
        // Without a daemon, from the files.
        let offline = h.fom("env", "job")
        XCTAssertEqual(offline.code, 0, offline.err)
        XCTAssertFalse(offline.out.contains(Self.password), offline.out)
        XCTAssertTrue(offline.out.contains("DB_URL=********\n"), offline.out)

        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertTrue(h.waitUntil("job runs") { h.status("job") == "online" })
        for args in [["env", "job"], ["env", "job", "--json"]] {
            let env = h.run(args)
            XCTAssertEqual(env.code, 0, env.err)
            XCTAssertFalse(env.out.contains(Self.password), "\(args): \(env.out)")
            XCTAssertFalse(env.err.contains(Self.password), "\(args): \(env.err)")
            XCTAssertTrue(env.out.contains("PLAIN"), env.out)
        }
        let text = h.fom("env", "job").out
        XCTAssertTrue(text.contains("DB_URL=********\n"), text)
        XCTAssertTrue(text.contains("FOO=********\n"), text)
        XCTAssertTrue(text.contains("PLAIN=visible\n"), text)
        // The daemon's answer itself is masked, whoever asks.
        let answer = try h.rawExchange(Array((#"{"cmd": "env", "targets": ["job"]}"# + "\n").utf8))
        XCTAssertTrue(answer.contains("\"ok\":true"), answer)
        XCTAssertFalse(answer.contains(Self.password), answer)

        let revealed = h.fom("env", "job", "--reveal")
        XCTAssertTrue(revealed.out.contains("DB_URL=\(Self.url)\n"), revealed.out)
        XCTAssertTrue(revealed.out.contains("FOO=\(Self.password)\n"), revealed.out)
        XCTAssertFalse(h.fom("describe", "job").out.contains(Self.password))
    }

    /// The process still has the old password under FOO, and nothing in its environment is named
    /// like a secret: the daemon masks by the secrets the run was started with, which an
    /// upgrade hands on.
    func testAPasswordChangedSinceTheStartStaysMaskedAcrossAnUpgrade() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertTrue(h.waitUntil("job runs") { h.status("job") == "online" })
        try h.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=bob\nCVAT_PASSWORD=another-pw\n")
        for step in ["before the upgrade", "after the upgrade"] {
            if step == "after the upgrade" {
                let upgrade = h.fom("upgrade")
                XCTAssertEqual(upgrade.code, 0, upgrade.err)
            }
            let env = h.fom("env", "job")
            XCTAssertTrue(env.err.contains("a restart would change DB_URL, FOO"), "\(step): \(env.err)")
            XCTAssertTrue(env.out.contains("FOO=********\n"), "\(step): \(env.out)")
            for secret in [Self.password, "another-pw"] {
                XCTAssertFalse(env.out.contains(secret) || env.err.contains(secret), "\(step): \(env.out)")
            }
        }
        XCTAssertTrue(h.fom("env", "job", "--reveal").out.contains("FOO=\(Self.password)\n"))
    }

    func testValidateOfARequiredVariableNamesFileAndLineButNotItsMessage() throws {
        let h = try make()
        let cases: [(env: String, key: String, literal: String)] = [
            ("CVAT_PASSWORD=${NOPE:?the pw is hunter2}\n", "CVAT_PASSWORD", "hunter2"),
            ("CVAT_PASSWORD=\(Self.password)\nDB=${NOPE:?the pw is \(Self.password)}\n", "DB", Self.password),
        ]
        for item in cases {
            try h.write(".env", item.env)
            let validate = h.fom("validate")
            XCTAssertNotEqual(validate.code, 0, validate.out)
            let line = item.env.split(separator: "\n").count
            XCTAssertTrue(validate.err.contains(h.path(".env") + ":\(line): \(item.key)"), validate.err)
            XCTAssertFalse(validate.err.contains(item.literal) || validate.out.contains(item.literal), validate.err)
        }
    }

    func testAnInstanceEnvMessageQuotingThePasswordIsMaskedEverywhere() throws {
        harness = try FomHarness(
            config: """
                { "instances": [
                    {"name": "job", "kind": "process", "env": {"DB": "${NOPE:?the pw is hunter2pw}"},
                     "command": ["/bin/sh", "-c", "exec sleep 3114"]}
                ] }
                """)
        let h = harness!
        try h.write(".env", "CVAT_PASSWORD=\(Self.password)\n")
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 1, validate.out)
        XCTAssertTrue(validate.err.contains("job: env DB: required variable NOPE is missing a value"), validate.err)
        XCTAssertFalse(validate.err.contains(Self.password), validate.err)
        _ = h.fom("start", "job")
        XCTAssertTrue(h.waitUntil("job is errored") { h.status("job") == "errored" })
        for output in [h.fom("list").out, h.fom("describe", "job").out, h.fom("list", "--json").out] {
            XCTAssertTrue(output.contains("missing a value"), output)
            XCTAssertFalse(output.contains(Self.password), output)
        }
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains(Self.password), h.read(".fom/logs/fom.log"))
    }
}
