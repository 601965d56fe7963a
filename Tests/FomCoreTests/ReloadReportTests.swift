import FomCore
import FomProtocol
import XCTest

/// The reload request and its answer, as the daemon and the CLI exchange them.
final class ReloadReportTests: XCTestCase {
    func testReloadRequestCarriesDryRun() throws {
        XCTAssertEqual(Request(.reload).json["dryRun"], false)
        XCTAssertEqual(Request(.reload).json["cmd"], "reload")
        let line = Array(#"{"cmd": "reload", "dryRun": true}"#.utf8)
        let request = try Request(line: line)
        XCTAssertEqual(request.command, .reload)
        XCTAssertTrue(request.dryRun)
        XCTAssertNil(Request(.list).json["dryRun"], "other requests are as they were")
    }

    func testAnswerDecodesAndEncodesTheSameShape() throws {
        let answer = try JSONValue(
            parsing:
                #"{"ok": true, "added": ["third"], "changed": [{"name": "review", "keys": ["env.X", "cvatSync"]}], "removed": ["old"], "unchanged": ["annotate", "mongodb"]}"#
        )
        let report = try XCTUnwrap(ReloadReport(json: answer))
        XCTAssertEqual(
            report,
            ReloadReport(
                added: ["third"], changed: [.init(name: "review", keys: ["env.X", "cvatSync"])], removed: ["old"],
                unchanged: ["annotate", "mongodb"]))
        XCTAssertEqual(ReloadReport(json: report.json), report)
        XCTAssertEqual(Response.ok(report.members)["changed"]?[0]?["name"], "review")
        XCTAssertTrue(report.changed[0].restarts, "an answer that does not say restarts")
        let inPlace = try JSONValue(
            parsing:
                #"{"ok": true, "added": [], "changed": [{"name": "a", "keys": ["autostart"], "restarts": false}], "removed": [], "unchanged": []}"#
        )
        XCTAssertEqual(ReloadReport(json: inPlace)?.changed, [.init(name: "a", keys: ["autostart"], restarts: false)])
    }

    func testAnErrorAnswerIsNotAReport() throws {
        XCTAssertNil(ReloadReport(json: try JSONValue(parsing: #"{"ok": false, "error": "bad file"}"#)))
    }
}
