import Foundation
import XCTest

/// A state file that does not make sense is set aside and logged, and fom goes on with what the
/// config says; a state file that cannot be saved is retried until it lands, and said so.
final class StateFileRecoveryTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func make() throws -> FomHarness {
        harness = try FomHarness(
            config: """
                { "instances": [
                  {"name": "a", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3003"]},
                  {"name": "b", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3004"]}] }
                """)
        return harness
    }

    func plant(_ h: FomHarness, _ state: String) throws {
        try FileManager.default.createDirectory(atPath: h.path(".fom"), withIntermediateDirectories: true)
        chmod(h.path(".fom"), 0o700)
        try h.write(".fom/state.json", state)
    }

    func setAside(_ h: FomHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.path(".fom"))) ?? []).filter {
            $0.hasPrefix("state.json.bad-")
        }
    }

    func checkSenselessStateIsSetAside(_ state: String, mentioning key: String) throws {
        let h = try make()
        try plant(h, state)
        for command in [["list"], ["describe", "a"], ["validate"]] {
            let result = h.run(command)
            XCTAssertEqual(result.code, 0, "\(command): \(result.out)\(result.err)")
        }
        let start = h.fom("start")
        XCTAssertEqual(start.code, 0, start.out + start.err)
        XCTAssertEqual(h.status("a"), "online")
        XCTAssertEqual(h.status("b"), "online")
        XCTAssertEqual(setAside(h).count, 1, "the senseless file is kept aside for a look")
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("does not make sense") && log.contains(key), log)
        XCTAssertEqual(h.fom("kill").code, 0)
        h.tearDown()
        harness = nil
    }

    func testNegativeStartTimeIsSetAside() throws {
        try checkSenselessStateIsSetAside(
            #"{"version":1,"nextId":2,"ids":{"a":0,"b":1},"instances":{"a":{"wanted":"up","pid":1,"startTime":-5}}}"#,
            mentioning: "startTime")
    }

    func testHugePidIsSetAside() throws {
        try checkSenselessStateIsSetAside(
            #"{"version":1,"nextId":2,"ids":{"a":0,"b":1},"instances":{"a":{"wanted":"up","pid":99999999999,"startTime":5}}}"#,
            mentioning: "pid")
    }

    func testHugeNextIdIsSetAside() throws {
        try checkSenselessStateIsSetAside(
            #"{"version":1,"nextId":9223372036854775807,"ids":{"a":0,"b":1},"instances":{}}"#, mentioning: "nextId")
    }

    func testDuplicateIdsAreSetAsideAndKillDoesNotHang() throws {
        try checkSenselessStateIsSetAside(
            #"{"version":1,"nextId":2,"ids":{"a":0,"b":0},"instances":{}}"#, mentioning: "also the id of")
    }

    func testStateFileThatIsNotJSONIsSetAside() throws {
        try checkSenselessStateIsSetAside("{\"version\": 1, \"ids\": {", mentioning: "state.json")
    }

    func testFailedStateSaveIsRetriedUntilItLandsAndPingSaysSo() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        // A directory where the temporary file must go: every save fails until it is removed.
        try FileManager.default.createDirectory(
            atPath: h.path(".fom/state.json.new"), withIntermediateDirectories: false)
        XCTAssertEqual(h.fom("stop", "a").code, 0)
        h.waitUntil("ping warns that the state is not saved") {
            h.fom("ping").err.contains("the state file is not saved")
        }
        XCTAssertTrue(h.fom("describe", "b").err.contains("the state file is not saved"))
        XCTAssertFalse(h.read(".fom/state.json").contains("\"down\""))
        try FileManager.default.removeItem(atPath: h.path(".fom/state.json.new"))
        h.waitUntil("the stop is saved once the disk takes it") { h.read(".fom/state.json").contains("\"down\"") }
        XCTAssertFalse(h.fom("ping").err.contains("not saved"))
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("the state file is saved again"))
        // A new daemon (ping starts one, and starts nothing it is not asked to): the instance
        // the user stopped stays stopped.
        XCTAssertEqual(h.fom("kill").code, 0)
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("b back online") { h.status("b") == "online" }
        XCTAssertEqual(h.status("a"), "stopped")
    }
}
