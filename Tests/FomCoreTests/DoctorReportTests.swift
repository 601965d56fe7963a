import FomCore
import XCTest

/// doctor's output: symbols or words, a fix under each failure, JSON, exit codes, masking; and
/// the probe's lines read back.
final class DoctorReportTests: XCTestCase {
    func report() -> DoctorReport {
        DoctorReport(instances: [
            DoctorInstanceReport(
                id: 0, name: "annotate", kind: .fiftyone, process: .running(pid: 42, status: "online"),
                lines: [
                    .ok(.server, "CVAT at http://x answers"),
                    .warn(.fiftyOne, "FIFTYONE_CVAT_HEADERS is set"),
                    .fail(.login, "wrong user name or password, not hunter22", fix: "correct CVAT_PASSWORD"),
                ])
        ])
    }

    func testWordsForPipesAndSymbolsForTerminals() {
        XCTAssertEqual(
            report().text(style: .words),
            [
                "annotate (id 0, fiftyone, online, pid 42)", "  ok   CVAT at http://x answers",
                "  warn FIFTYONE_CVAT_HEADERS is set", "  FAIL wrong user name or password, not hunter22",
                "       fix: correct CVAT_PASSWORD", "doctor: 1 check failed, 1 warning",
            ])
        let symbols = report().text(style: .symbols)
        XCTAssertEqual(symbols[1], "  \u{1B}[32m✓\u{1B}[0m CVAT at http://x answers")
        XCTAssertEqual(symbols[2], "  \u{1B}[33m!\u{1B}[0m FIFTYONE_CVAT_HEADERS is set")
        XCTAssertEqual(symbols[4], "    fix: correct CVAT_PASSWORD")
    }

    func testExitCodeIsOneOnlyWhenSomethingFailed() {
        XCTAssertEqual(report().exitCode, 1)
        var warnings = report()
        warnings.instances[0].lines.removeLast()
        XCTAssertEqual(warnings.exitCode, 0)
        XCTAssertEqual(warnings.summary, "doctor: nothing failed, 1 warning")
    }

    func testSecretsAreMaskedInTextAndJSON() {
        let masked = report().masking(SecretValues(["hunter22"]))
        XCTAssertFalse(masked.text(style: .words).joined().contains("hunter22"))
        let json = masked.json.serialized()
        XCTAssertFalse(json.contains("hunter22"))
        XCTAssertEqual(masked.json["ok"], false)
        XCTAssertEqual(masked.json["instances"]?[0]?["checks"]?[2]?["check"], "login")
        XCTAssertEqual(masked.json["instances"]?[0]?["checks"]?[2]?["fix"], "correct CVAT_PASSWORD")
    }

    func testProbeLinesAreReadAndNoiseIgnored() {
        let output = """
            FiftyOne says hello
            FOMDOCTOR {"part": "server", "ok": true, "status": 200, "version": "2.22.0", "name": "CVAT", "proxy": false}
            FOMDOCTOR {"part": "login", "status": 200, "self": 200, "logout": 200, "client": "FiftyOne 1.22.1"}
            FOMDOCTOR {"part": "fiftyone", "imported": true, "version": "1.22.1", "how": "m", "backend": true, "values": {"password": {"kind": "list", "count": 2, "same": false, "sameText": false}}}
            FOMDOCTOR {"part": "tcp", "results": [{"host": "127.0.0.1", "port": 27017, "ok": false, "kind": "refused", "detail": "x"}]}
            FOMDOCTOR {"part": "done"}
            """
        let result = DoctorProbeResult.parse(output)
        XCTAssertEqual(result.server, .answered(version: "2.22.0", name: "CVAT"))
        XCTAssertEqual(
            result.login,
            .answered(DoctorLoginAnswer(status: 200, session: "200", logout: "200", client: "FiftyOne 1.22.1")))
        XCTAssertEqual(
            result.fiftyOne,
            .read(
                version: "1.22.1", method: "m", hasBackend: true,
                values: ["password": DoctorFiftyOneValue(kind: "list", count: 2, same: false, sameText: false)]))
        XCTAssertEqual(result.tcp?.first?.failure, DoctorNetworkFailure(kind: "refused", detail: "x"))
        XCTAssertTrue(result.finished)

        let cut = DoctorProbeResult.parse(
            "FOMDOCTOR {\"part\": \"server\", \"ok\": false, \"kind\": \"noAnswer\", \"detail\": \"no answer within 4s\"}\n"
        )
        XCTAssertEqual(cut.server, .failed(DoctorNetworkFailure(kind: "noAnswer", detail: "no answer within 4s")))
        XCTAssertNil(cut.login)
        XCTAssertFalse(cut.finished)
    }
}
