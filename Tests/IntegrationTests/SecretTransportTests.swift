import Foundation
import XCTest

/// Secrets on the control socket: in cleartext only in the answer to an `env` request that asks
/// to reveal them (`env --reveal`, `exec`); masked in every other answer.
final class SecretTransportTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testOnlyARevealingEnvRequestCarriesTheCvatPassword() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "annotate", "kind": "process", "cvatSync": true,
                                  "command": ["/bin/sh", "-c", "exec sleep 4401"]} ] }
                """)
        harness = h
        try h.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=anna\nCVAT_PASSWORD=wire-secret-77\n")
        XCTAssertEqual(h.fom("start").code, 0)
        for request in [
            #"{"cmd": "describe", "targets": ["annotate"]}"#, #"{"cmd": "env", "targets": ["annotate"]}"#,
            #"{"cmd": "list"}"#,
        ] {
            let answer = try h.rawExchange(Array((request + "\n").utf8))
            XCTAssertTrue(answer.contains("\"ok\":true"), answer)
            XCTAssertFalse(answer.contains("wire-secret-77"), "\(request) carried the password: \(answer)")
        }
        let revealed = try h.rawExchange(
            Array((#"{"cmd": "env", "targets": ["annotate"], "reveal": true}"# + "\n").utf8))
        XCTAssertTrue(revealed.contains("wire-secret-77"), revealed)
        // What users run: masked by default, the value with --reveal, and exec gets the value.
        XCTAssertTrue(h.fom("env", "annotate").out.contains("FIFTYONE_CVAT_PASSWORD=********"))
        XCTAssertTrue(h.fom("env", "annotate", "--reveal").out.contains("FIFTYONE_CVAT_PASSWORD=wire-secret-77"))
        let exec = h.fom("exec", "annotate", "--", "/bin/sh", "-c", "echo $FIFTYONE_CVAT_PASSWORD")
        XCTAssertEqual(exec.out, "wire-secret-77\n", exec.err)
        XCTAssertFalse(h.fom("describe", "annotate").out.contains("wire-secret-77"))
    }

    func testDriftOfASecretIsNamedWithoutItsValue() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "annotate", "kind": "process", "cvatSync": true,
                                  "command": ["/bin/sh", "-c", "exec sleep 4402"]} ] }
                """)
        harness = h
        try h.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=anna\nCVAT_PASSWORD=before-1\n")
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=anna\nCVAT_PASSWORD=after-2\n")
        let env = h.fom("env", "annotate")
        XCTAssertTrue(env.err.contains("a restart would change FIFTYONE_CVAT_PASSWORD"), env.err)
        XCTAssertFalse(env.err.contains("after-2") || env.out.contains("after-2") || env.out.contains("before-1"))
    }
}
