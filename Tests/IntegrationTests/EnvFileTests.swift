import Foundation
import XCTest

/// The env file as every command and the daemon read it: the file `--env` names must exist, a
/// file that cannot be read is an error naming it and the reason (never taken for a missing
/// one), and a command never silently runs with another env file than the one it names.
final class EnvFileTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func make() throws -> FomHarness {
        harness = try FomHarness(
            config: """
                { "instances": [
                    {"name": "job", "kind": "process", "autostart": false, "minUptime": "100ms",
                     "command": ["/bin/sh", "-c", "exec sleep 3003"]}
                ] }
                """)
        return harness
    }

    /// Every command that reads the env file, with `--env typo` (and no `.env.typo`).
    static let readingCommands: [[String]] = [
        ["validate"], ["exec", "job", "--", "/bin/true"], ["env", "job"], ["describe", "job"], ["start", "job"],
        ["restart", "job"], ["stop", "job"], ["ping"], ["daemon"],
    ]

    func testEnvNamingAMissingFileIsAnErrorForEveryCommand() throws {
        let h = try make()
        try h.write(".env", "FOO=default\n")
        for command in Self.readingCommands {
            // Options go before `--`: what follows it is the command of exec.
            let result = h.run([command[0], "--env", "typo"] + command.dropFirst(), timeout: 20)
            XCTAssertEqual(result.code, 1, "\(command): \(result.out) \(result.err)")
            XCTAssertTrue(
                result.err.contains(h.path(".env.typo") + ": no such file (selected by --env typo)"),
                "\(command): \(result.err)")
        }
        XCTAssertNil(h.daemonPid().flatMap { FomHarness.isAlive($0) ? $0 : nil }, "no daemon was started")
        // Without --env the missing .env.typo is nobody's business.
        XCTAssertEqual(h.fom("validate").code, 0)
    }

    func testDotEnvThatIsADirectoryIsAnErrorNamingIt() throws {
        let h = try make()
        try FileManager.default.createDirectory(atPath: h.path(".env"), withIntermediateDirectories: false)
        let expected = h.path(".env") + ": cannot read the env file: is a directory, not a file"
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 1, validate.out)
        XCTAssertTrue(validate.err.contains(expected), validate.err)
        XCTAssertFalse(validate.out.contains("ok"), validate.out)
        for command in [["exec", "job", "--", "/bin/true"], ["env", "job"]] {
            let result = h.run(command)
            XCTAssertEqual(result.code, 1, "\(command): \(result.out)")
            XCTAssertTrue(result.err.contains(expected), "\(command): \(result.err)")
        }
        XCTAssertTrue(h.fom("describe", "job").out.contains("would fail: \(expected)"))
        // The daemon says the same when it starts the instance: errored with the reason.
        let start = h.fom("start", "job")
        XCTAssertEqual(start.code, 1, start.out)
        XCTAssertEqual(h.status("job"), "errored")
        XCTAssertTrue((h.list()["job"]?["reason"] as? String ?? "").contains(expected), "\(h.list())")
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains(expected), h.read(".fom/logs/fom.log"))
    }

    func testUnreadableDotEnvIsAnErrorWithTheReasonNotMissing() throws {
        let h = try make()
        // A symlink loop fails to open for root too.
        try FileManager.default.createSymbolicLink(atPath: h.path(".env"), withDestinationPath: ".env")
        let loop = h.fom("validate")
        XCTAssertEqual(loop.code, 1, loop.out)
        XCTAssertTrue(
            loop.err.contains(h.path(".env") + ": cannot read the env file: Too many levels of symbolic links"),
            loop.err)
        // A FIFO must neither hang fom nor pass for an empty file.
        try FileManager.default.removeItem(atPath: h.path(".env"))
        XCTAssertEqual(mkfifo(h.path(".env"), 0o600), 0)
        let fifo = h.fom("validate", timeout: 10)
        XCTAssertEqual(fifo.code, 1, fifo.err)
        XCTAssertTrue(fifo.err.contains(h.path(".env") + ": cannot read the env file: not a regular file"), fifo.err)
        // A dangling symlink is something the user put there: not "no .env".
        try FileManager.default.removeItem(atPath: h.path(".env"))
        try FileManager.default.createSymbolicLink(atPath: h.path(".env"), withDestinationPath: "/nonexistent/env")
        let dangling = h.fom("validate")
        XCTAssertEqual(dangling.code, 1, dangling.out)
        XCTAssertTrue(dangling.err.contains("a symbolic link to a file that does not exist"), dangling.err)
    }

    /// Permission denied, as a user other than root meets it (the suite runs as root, which no
    /// mode bit stops): `fom validate` run with setpriv as uid 65534.
    func testPermissionDeniedIsAnErrorWithTheReason() throws {
        let h = try make()
        try h.write(".env", "CVAT_PASSWORD=hunter2\n")
        chmod(h.path(".env"), 0o600)
        chmod(h.dir, 0o755)
        chmod(h.path("supervisor.json"), 0o644)
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let setpriv else { return XCTFail("setpriv (util-linux) is needed to run fom as another user") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", h.binary, "validate"]
        process.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        var env = ProcessInfo.processInfo.environment
        env["FOM_HOME"] = nil
        env["FOM_CONFIG"] = nil
        process.environment = env
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, err)
        XCTAssertTrue(err.contains(h.path(".env") + ": cannot read the env file: Permission denied"), err)
    }

    func testRestartWithAnotherEnvThanTheDaemonsIsRefusedNamingBoth() throws {
        let h = try make()
        try h.write(".env", "FOO=default\n")
        try h.write(".env.prod", "FOO=prod\n")
        XCTAssertEqual(h.fom("start", "job").code, 0)
        guard let pid = h.pid("job") else { return XCTFail("no pid: \(h.list())") }
        for command in [
            ["restart", "job"], ["start", "job"], ["stop", "job"], ["env", "job"], ["describe", "job"],
            ["exec", "job", "--", "/bin/true"],
        ] {
            let result = h.run([command[0], "--env", "prod"] + command.dropFirst())
            XCTAssertEqual(result.code, 1, "\(command): \(result.out)")
            XCTAssertTrue(
                result.err.contains("the daemon runs with \(h.path(".env")), not \(h.path(".env.prod"))"),
                "\(command): \(result.err)")
            XCTAssertTrue(result.err.contains("'fom kill' then 'fom start --env prod'"), result.err)
        }
        XCTAssertEqual(h.pid("job"), pid, "nothing was restarted or stopped")
        XCTAssertEqual(h.status("job"), "online")
        XCTAssertTrue(h.fom("env", "job").out.contains("FOO=default"))

        // Started with --env prod, the daemon reads .env.prod; commands without --env follow it.
        XCTAssertEqual(h.fom("kill").code, 0)
        XCTAssertEqual(h.fom("start", "job", "--env", "prod").code, 0)
        XCTAssertTrue(h.fom("env", "job").out.contains("FOO=prod"))
        XCTAssertTrue(h.fom("ping").out.hasSuffix("env file \(h.path(".env.prod"))\n"), h.fom("ping").out)
        XCTAssertTrue(h.fom("describe", "job").out.contains("env file        \(h.path(".env.prod"))"))
        XCTAssertEqual(h.fom("restart", "job", "--env", "prod").code, 0)
        XCTAssertTrue(h.fom("env", "job", "--env", "prod").out.contains("FOO=prod"))
        // The daemon's file vanishing later is an error for the next start, not an empty file.
        try FileManager.default.removeItem(atPath: h.path(".env.prod"))
        XCTAssertEqual(h.fom("restart", "job").code, 1)
        XCTAssertTrue(
            h.read(".fom/logs/fom.log").contains(h.path(".env.prod") + ": no such file (selected by --env)"),
            h.read(".fom/logs/fom.log"))
    }
}
