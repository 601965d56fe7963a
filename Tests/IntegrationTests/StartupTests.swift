import Foundation
import XCTest

/// `fom startup`: the unit it prints is one systemd accepts, for this config and binary.
final class StartupTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    static var systemdRuns: Bool { FileManager.default.fileExists(atPath: "/run/systemd/system") }

    func testUnitPassesSystemdAnalyzeVerify() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "db", "kind": "process", "command": ["sleep", "3070"], "killTimeout": "30s"},
                    {"name": "web", "kind": "process", "command": ["sleep", "3071"], "dependsOn": ["db"]} ] }
                """)
        harness = h
        h.extraEnvironment["FOM_HOME"] = h.path("runtime home")
        let result = h.fom("startup")
        XCTAssertEqual(result.code, 0, result.err)
        let unit = result.out
        let lines = unit.split(separator: "\n").map(String.init)
        // The real binary that ran, so that systemd-analyze finds the ExecStart program.
        let binary = URL(fileURLWithPath: h.binary).resolvingSymlinksInPath().path
        XCTAssertTrue(lines.contains("ExecStart=\(binary) daemon --config \(h.path("supervisor.json"))"), unit)
        XCTAssertTrue(lines.contains("Type=simple"), unit)
        XCTAssertTrue(lines.contains("KillMode=mixed"), unit)
        XCTAssertTrue(lines.contains("Restart=on-failure"), unit)
        XCTAssertTrue(lines.contains("WorkingDirectory=\(h.dir)"), unit)
        XCTAssertTrue(lines.contains("Environment=\"FOM_HOME=\(h.path("runtime home"))\""), unit)
        let timeout = lines.first { $0.hasPrefix("TimeoutStopSec=") }.flatMap { Int($0.dropFirst(15)) } ?? 0
        XCTAssertGreaterThan(timeout, 30, "longer than the largest killTimeout")
        if Self.systemdRuns {
            XCTAssertFalse(result.err.contains("systemd is not running"), result.err)
        } else {
            XCTAssertTrue(result.err.contains("systemd is not running here"), result.err)
        }

        let name =
            "fom-"
            + URL(fileURLWithPath: h.dir).lastPathComponent.map {
                $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? String($0) : "-"
            }.joined() + ".service"
        let file = h.path(name)
        try unit.write(toFile: file, atomically: true, encoding: .utf8)
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        verify.arguments = ["systemd-analyze", "verify", file]
        let output = Pipe()
        verify.standardOutput = output
        verify.standardError = output
        try verify.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        XCTAssertEqual(verify.terminationStatus, 0, "systemd-analyze verify (from Debian's systemd package): \(text)")
        XCTAssertFalse(text.contains(name), "nothing said about our unit: \(text)")
    }

    func testInstallWithoutSystemdSaysSoAndPrintsTheUnit() throws {
        let h = try FomHarness(
            config: #"{ "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3072"]} ] }"#)
        harness = h
        // Installing on a host that runs systemd would change that host: only the container case here.
        guard !Self.systemdRuns else {
            let result = h.fom("startup", "--user", "no-such-user-fom")
            XCTAssertEqual(result.code, 2)
            XCTAssertTrue(result.err.contains("no user named"), result.err)
            return
        }
        let result = h.fom("startup", "--install")
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.contains("systemd is not running here"), result.err)
        XCTAssertTrue(result.out.contains("[Service]") && result.out.contains("ExecStart="), result.out)
    }
}
