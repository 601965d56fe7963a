import Foundation
import XCTest

/// pm2's `--update-env` is accepted (scripts carry it) with a one-line note: fom computes the
/// environment afresh at every start anyway.
final class UpdateEnvFlagTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testUpdateEnvIsAcceptedWithANote() throws {
        let h = try FomHarness(
            config: #"{"instances": [{"name": "a", "kind": "process", "command": ["sleep", "3020"]}]}"#)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let pid = h.pid("a")
        let restart = h.fom("restart", "a", "--update-env")
        XCTAssertEqual(restart.code, 0, restart.err)
        let notes = restart.err.split(separator: "\n").filter { $0.contains("--update-env") }
        XCTAssertEqual(
            notes,
            [
                "fom restart: note: --update-env changes nothing: fom computes the environment afresh from the files at every start and restart"
            ])
        XCTAssertEqual(h.status("a"), "online")
        XCTAssertNotEqual(h.pid("a"), pid, "restarted")
        XCTAssertEqual(h.fom("start", "a", "--update-env").code, 0)
        XCTAssertEqual(h.run(["list", "--update-env=1"]).code, 2, "it takes no value")
    }
}
