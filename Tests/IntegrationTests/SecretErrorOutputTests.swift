import Foundation
import XCTest

/// A `.env` line of a secret that does not parse is reported by file, line and key, and no piece
/// of its value reaches any output: `validate`, `list`, `describe`, `env`, `start`, fom.log and
/// the daemon's own stderr, with a real daemon.
final class SecretErrorOutputTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// Bad lines, and the pieces of each that must never be shown.
    static let badLines: [(line: String, pieces: [String])] = [
        ("CVAT_PASSWORD=Xk9#${tail", ["Xk9", "tail"]),
        ("CVAT_PASSWORD hunter2", ["hunter2"]),
        ("CVAT_PASSWORD=\"pw7Q\"trailing", ["pw7Q", "trailing"]),
        ("CVAT_PASSWORD=${NOPE:?Zm9vYmFy}", ["Zm9vYmFy"]),
        ("export API_TOKEN q1w2e3r4!", ["q1w2e3r4"]),
    ]

    func testSecretTextNeverAppearsInAnyOutputOrTheLog() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "annotate", "kind": "process", "cvatSync": true, "autostart": false,
                     "command": ["/bin/sh", "-c", "exec sleep 3004"]}
                ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("ping").code, 0)
        for (bad, pieces) in Self.badLines {
            let key = bad.hasPrefix("export") ? "API_TOKEN" : "CVAT_PASSWORD"
            try h.write(".env", "CVAT_URL=http://cvat.example\nCVAT_USERNAME=fiftyone\n\(bad)\n")
            var outputs: [(String, String)] = []
            for command in [
                ["validate"], ["start", "annotate"], ["restart", "annotate"], ["list"], ["list", "--json"],
                ["describe", "annotate"], ["describe", "annotate", "--json"], ["env", "annotate"],
                ["exec", "annotate", "--", "/bin/true"],
            ] {
                let result = h.run(command)
                outputs.append(("fom \(command.joined(separator: " "))", result.out + result.err))
            }
            let validate = h.fom("validate")
            XCTAssertEqual(validate.code, 1)
            XCTAssertTrue(validate.err.contains(h.path(".env") + ":3: \(key)"), validate.err)
            XCTAssertTrue(validate.err.contains("is a secret"), validate.err)
            XCTAssertEqual(h.status("annotate"), "errored", "\(h.list())")
            outputs.append(("fom.log", h.read(".fom/logs/fom.log")))
            outputs.append(("the daemon's stderr", h.read(".fom/daemon.out")))
            for (name, text) in outputs {
                XCTAssertFalse(text.isEmpty && name == "fom.log", "fom.log is empty")
                for piece in pieces {
                    XCTAssertFalse(text.contains(piece), "\(name) shows \(piece) of \(bad.debugDescription):\n\(text)")
                }
            }
        }
        XCTAssertTrue(h.read(".fom/logs/fom.log").contains("is a secret"), h.read(".fom/logs/fom.log"))
    }
}
