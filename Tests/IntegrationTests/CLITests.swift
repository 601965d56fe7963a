import Foundation
import XCTest

/// The command line as a user meets it: the default files, errors, exit codes, help.
final class CLITests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// The repository's own supervisor.json and .env.example, in a temporary directory.
    func defaultFiles() throws -> FomHarness {
        let root = EndToEndTests.repoRoot
        let h = try FomHarness(config: try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8))
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
        harness = h
        return h
    }

    func testDefaultFilesValidateAndEnvZeroShowsExactlyTheThreeCvatVariables() throws {
        let h = try defaultFiles()
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 0, validate.err)
        let env = h.fom("env", "0")
        XCTAssertEqual(env.code, 0, env.err)
        let cvat = env.out.split(separator: "\n").filter { $0.contains("CVAT") }
        XCTAssertEqual(
            cvat,
            [
                "FIFTYONE_CVAT_PASSWORD=********", "FIFTYONE_CVAT_URL=http://localhost:8080",
                "FIFTYONE_CVAT_USERNAME=fiftyone",
            ])
        XCTAssertTrue(env.err.contains("not running"), "it says this is the next start's environment")
        let revealed = h.fom("env", "0", "--reveal").out.split(separator: "\n").filter { $0.contains("CVAT") }
        XCTAssertTrue(revealed.contains("FIFTYONE_CVAT_PASSWORD=change-me"), "\(revealed)")
        XCTAssertEqual(h.fom("env", "review").out.split(separator: "\n").filter { $0.contains("CVAT") }, [])
        let json = h.fom("env", "annotate", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: String]
        XCTAssertEqual(object?["FIFTYONE_CVAT_PASSWORD"], "********")
        XCTAssertNil(object?["CVAT_PASSWORD"])
        XCTAssertNil(h.daemonPid().flatMap { FomHarness.isAlive($0) ? $0 : nil }, "env must not start the daemon")
    }

    func testMissingCvatPasswordFailsValidateNamingVariableAndFile() throws {
        let h = try defaultFiles()
        try h.write(".env", "CVAT_URL=http://cvat.local\nCVAT_USERNAME=me\nCVAT_PASSWORD=\n")
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 1)
        XCTAssertTrue(
            validate.err.contains("annotate: cvatSync is on but CVAT_PASSWORD is missing or empty"), validate.err)
        XCTAssertTrue(validate.err.contains(h.path(".env")), validate.err)
    }

    func testBrokenConfigPrintsFileLineColumnAndExitsOne() throws {
        let h = try FomHarness(config: "{\n  \"instances\": [\n    {\"name\": \"a\", \"port\": 5151,}\n  ]\n}\n")
        harness = h
        let syntax = h.fom("validate")
        XCTAssertEqual(syntax.code, 1)
        XCTAssertTrue(syntax.err.hasPrefix("supervisor.json:3:"), syntax.err)
        try h.write(
            "supervisor.json",
            "{\n  \"instances\": [\n    {\"name\": \"a\", \"port\": 5151, \"cvatsync\": true}\n  ]\n}\n")
        let key = h.fom("validate")
        XCTAssertEqual(key.code, 1)
        XCTAssertTrue(key.err.contains("supervisor.json:3:") && key.err.contains("did you mean \"cvatSync\"?"), key.err)
        XCTAssertEqual(key.err.split(separator: "\n").count, 1, "one line")
    }

    func testBadEnvLineNamesFileAndLine() throws {
        let h = try FomHarness(config: "{\"instances\": []}")
        harness = h
        try h.write(".env", "A=1\nB=\"unterminated\n")
        let result = h.fom("validate")
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.contains(h.path(".env") + ":2:"), result.err)
        try h.write(".env.dev", "A=1\n")
        XCTAssertEqual(h.fom("validate", "--env", "dev").code, 0)
        let missing = h.fom("validate", "--env", "prod")
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.err.contains(".env.prod"), missing.err)
    }

    func testUsageErrorsAreOneLineWithSuggestionAndExitTwo() throws {
        let h = try FomHarness(
            config: "{\"instances\": [{\"name\": \"web\", \"kind\": \"process\", \"command\": [\"true\"]}]}")
        harness = h
        let cases: [([String], String)] = [
            (["strat"], "did you mean \"start\"?"),
            (["list", "--jsno"], "did you mean \"--json\"?"),
            (["logs", "-n"], "-n needs a value"),
            (["logs", "-n", "many"], "takes a number of lines"),
            (["env"], "name one instance"),
            (["stop"], "name the instances"),
            (["exec", "web"], "give the command after '--'"),
        ]
        for (args, expected) in cases {
            let result = h.run(args)
            XCTAssertEqual(result.code, 2, "fom \(args.joined(separator: " ")): \(result.err)")
            XCTAssertTrue(result.err.contains(expected), "fom \(args.joined(separator: " ")): \(result.err)")
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        }
        let unknown = h.fom("env", "wbe")
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.err.contains("unknown instance \"wbe\"; did you mean \"web\"?"), unknown.err)
    }

    func testHelpAndVersion() throws {
        let h = try FomHarness(config: "{\"instances\": []}")
        harness = h
        XCTAssertTrue(h.fom("--version").out.hasPrefix("fom "))
        let help = h.fom("help")
        XCTAssertEqual(help.code, 0)
        for command in [
            "daemon", "start", "stop", "restart", "list", "describe", "env", "logs", "flush", "exec", "validate",
            "ping", "kill",
        ] {
            XCTAssertTrue(help.out.contains("  \(command) "), "help lists \(command)")
            let own = h.fom(command, "--help")
            XCTAssertEqual(own.code, 0, command)
            XCTAssertTrue(own.out.hasPrefix("usage: fom \(command)"), own.out)
        }
        XCTAssertTrue(h.fom("help", "env").out.contains("--reveal"))
    }

    func testLookingNeverStartsTheDaemonButPingDoes() throws {
        let h = try FomHarness(
            config: "{\"instances\": [{\"name\": \"a\", \"kind\": \"process\", \"command\": [\"sleep\", \"3010\"]}]}")
        harness = h
        for args in [["list"], ["describe", "a"], ["env", "a"], ["logs"], ["validate"]] {
            let result = h.run(args)
            XCTAssertEqual(result.code, 0, "\(args): \(result.err)")
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")), "fom \(args[0]) started the daemon")
        }
        XCTAssertTrue(h.fom("list").out.contains("stopped"))
        let ping = h.fom("ping")
        XCTAssertEqual(ping.code, 0)
        XCTAssertTrue(ping.err.contains("started it"), ping.err)
        h.waitUntil("autostart instance online") { h.status("a") == "online" }
        let list = h.fom("list")
        for column in ["id", "name", "kind", "status", "pid", "uptime", "restarts", "port", "cvat"] {
            XCTAssertTrue(list.out.split(separator: "\n").first?.contains(column) ?? false, column)
        }
        let describe = h.fom("describe", "a", "--json")
        XCTAssertTrue(describe.out.contains("\"status\": \"online\""), describe.out)
        XCTAssertTrue(h.fom("logs", "a", "--out", "-n", "1").code == 0)
    }
}
