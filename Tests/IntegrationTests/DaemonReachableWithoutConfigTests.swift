import Foundation
import XCTest

/// supervisor.json deleted under a running daemon: `list` and `kill` still reach it through its
/// runtime directory, as they do when the file does not parse.
final class DaemonReachableWithoutConfigTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testListAndKillReachTheDaemonAfterSupervisorJsonIsDeleted() throws {
        harness = try FomHarness(
            config: #"{ "instances": [{"name": "x", "kind": "process", "command": ["/bin/sleep", "3021"]}] }"#)
        let h = harness!
        XCTAssertEqual(h.fom("start").code, 0)
        try FileManager.default.removeItem(atPath: h.path("supervisor.json"))
        let list = h.fom("list")
        XCTAssertEqual(list.code, 0, list.err)
        XCTAssertTrue(list.out.contains("online"), list.out)
        XCTAssertTrue(list.err.contains("no supervisor.json"), list.err)
        let kill = h.fom("kill")
        XCTAssertEqual(kill.code, 0, kill.err)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3021"), [])
    }

    func testListReachesTheDaemonThroughFomHomeAfterSupervisorJsonIsDeleted() throws {
        harness = try FomHarness(
            config: #"{ "instances": [{"name": "x", "kind": "process", "command": ["/bin/sleep", "3022"]}] }"#)
        let h = harness!
        h.extraEnvironment["FOM_HOME"] = h.path("home")
        XCTAssertEqual(h.fom("start").code, 0)
        try FileManager.default.removeItem(atPath: h.path("supervisor.json"))
        try FileManager.default.createDirectory(atPath: h.path("elsewhere"), withIntermediateDirectories: false)
        let list = h.run(["list", "--json"])
        XCTAssertEqual(list.code, 0, list.err)
        XCTAssertTrue(list.out.contains("\"online\""), list.out)
        XCTAssertEqual(h.fom("kill").code, 0)
    }

    func testMissingWorkingDirectoryIsNamedByValidateAndAtStart() throws {
        harness = try FomHarness(
            config:
                #"{ "instances": [{"name": "x", "kind": "process", "cwd": "gone", "command": ["/bin/sleep", "3023"]}] }"#
        )
        let h = harness!
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 1)
        XCTAssertTrue(validate.err.contains("gone is not a directory"), validate.err)
        h.fom("start", "x")
        h.waitUntil("x errored") { h.status("x") == "errored" }
        let reason = h.list()["x"]?["reason"] as? String ?? ""
        XCTAssertTrue(reason.contains("working directory") && reason.contains("does not exist"), reason)
    }
}

/// supervisor.json must be UTF-8: an invalid byte is an error at its line and column, never a
/// silent U+FFFD in a command or a path.
final class ConfigEncodingTests: XCTestCase {
    func testInvalidUTF8InSupervisorJsonIsNamedAtItsPlace() throws {
        let h = try FomHarness(
            config:
                "{ \"instances\": [\n  {\"name\": \"x\", \"kind\": \"process\", \"command\": [\"/bin/echo\", \"caf\u{E9}\"]}] }"
        )
        defer { h.tearDown() }
        var bytes = Array(h.read("supervisor.json").utf8)
        let e = bytes.firstIndex(of: 0xC3)!
        bytes[e] = 0xE9
        bytes.remove(at: e + 1)
        try Data(bytes).write(to: URL(fileURLWithPath: h.path("supervisor.json")))
        let result = h.fom("validate")
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.contains("supervisor.json:2:") && result.err.contains("invalid UTF-8"), result.err)
    }
}
