import Foundation
import XCTest

/// What the running daemon and processes got against what the files say now: environment drift,
/// a changed or broken supervisor.json, the marker a CLI must not hand on.
final class ConfigDriftTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testMarkerInheritedByTheCLIIsNotHandedOn() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3025"]},
                                 {"name": "b", "kind": "process", "command": ["sleep", "3026"]} ] }
                """)
        harness = h
        h.extraEnvironment["FOM_TREE"] = "0123456789abcdef/a"
        XCTAssertEqual(h.fom("start").code, 0)
        let env = h.fom("env", "b").out
        XCTAssertFalse(env.contains("FOM_TREE=0123456789abcdef/a"), env)
        XCTAssertTrue(env.contains("FOM_TREE=") && env.contains("/b\n"), env)
        XCTAssertEqual(h.fom("stop", "a").code, 0)
        XCTAssertEqual(h.status("b"), "online", "stopping a must not touch b")
    }

    func testEnvDriftIgnoresWhatAWrapperChangedItself() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "wrapped", "kind": "process",
                  "command": ["/bin/sh", "-c", "export WRAPPER_ADDED=1; exec sleep 3046"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let env = h.fom("env", "wrapped")
        XCTAssertTrue(env.out.contains("WRAPPER_ADDED=1"), "the real environment, from /proc")
        XCTAssertFalse(env.err.contains("warning"), env.err)
    }

    func testChangedConfigIsPointedOut() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3047"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertFalse(h.fom("env", "a").err.contains("changed"))
        // Two CLI runs (milliseconds each) already separate the daemon's read from this write.
        try h.write(
            "supervisor.json",
            """
            { "instances": [ {"name": "a", "kind": "process", "env": {"NEW": "1"}, "command": ["sleep", "3047"]} ] }
            """)
        let env = h.fom("env", "a")
        XCTAssertTrue(env.err.contains("changed after the daemon read it"), env.err)
        XCTAssertTrue(h.fom("restart", "a").err.contains("changed after the daemon read it"))
    }

    func testBrokenConfigDoesNotLockOutTheRunningDaemon() throws {
        let good = """
            { "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "3073"]} ] }
            """
        let h = try FomHarness(config: good)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("supervisor.json", "{ \"instances\": [ ,] }")
        let list = h.fom("list")
        XCTAssertEqual(list.code, 0, list.err)
        XCTAssertTrue(list.out.contains("online"), list.out)
        XCTAssertTrue(list.err.contains("supervisor.json:1:") && list.err.contains("does not parse"), list.err)
        XCTAssertEqual(h.fom("logs", "a", "-n", "1").code, 0)
        XCTAssertEqual(h.fom("validate").code, 1, "validate still fails")
        XCTAssertEqual(h.fom("stop", "a").code, 0)
        XCTAssertEqual(FomHarness.pids(withToken: "sleep 3073"), [])
        XCTAssertEqual(h.fom("kill").code, 0)
        let offline = h.fom("list")
        XCTAssertEqual(offline.code, 1, "without a daemon, the broken file is an error")
        XCTAssertTrue(offline.err.hasPrefix("supervisor.json:1:"), offline.err)
    }

    func testChangedConfigWarningFollowsContentAndExplainsUnknownNames() throws {
        let original = """
            { "instances": [ {"name": "review", "kind": "process", "command": ["sleep", "3074"]} ] }
            """
        let h = try FomHarness(config: original)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("supervisor.json", original.replacingOccurrences(of: "\"review\"", with: "\"reviewer\""))
        XCTAssertTrue(h.fom("list").err.contains("changed after the daemon read it"))
        let stop = h.fom("stop", "reviewer")
        XCTAssertEqual(stop.code, 1)
        XCTAssertTrue(
            stop.err.contains("unknown instance \"reviewer\"") && stop.err.contains("changed after the daemon read it"),
            stop.err)
        try h.write("supervisor.json", original)
        XCTAssertFalse(h.fom("list").err.contains("changed"), "the same content again: no warning")
    }
}
