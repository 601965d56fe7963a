import Foundation
import XCTest

/// `describe` works through the daemon when supervisor.json no longer parses, as list, env and
/// logs do: the daemon resolves the id and sends the settings of the config it runs.
final class DescribeThroughDaemonTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testDescribeWorksThroughTheDaemonWhenSupervisorJsonIsBroken() throws {
        let config = """
            {
              "instances": [
                { "name": "web", "kind": "process", "command": ["sleep", "3011"], "killTimeout": "3s" },
                { "name": "review", "kind": "process", "command": ["sleep", "3012"] }
              ]
            }
            """
        let h = try FomHarness(config: config)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        // A comma lost at the end of line 3: the error points at line 4, and names line 3.
        try h.write(
            "supervisor.json",
            config.replacingOccurrences(of: "\"killTimeout\": \"3s\" },", with: "\"killTimeout\": \"3s\" }"))
        let describe = h.fom("describe", "review")
        XCTAssertEqual(describe.code, 0, describe.err)
        XCTAssertTrue(describe.out.contains("online"), describe.out)
        XCTAssertTrue(describe.out.contains("sleep 3012"), describe.out)
        XCTAssertTrue(describe.out.contains("SIGTERM, SIGKILL after 10s"), "the daemon's settings: \(describe.out)")
        XCTAssertTrue(describe.err.contains("missing ',' after line 3?"), describe.err)
        XCTAssertTrue(describe.err.contains("keeps the version it read"), describe.err)
        let byId = h.fom("describe", "0", "--json")
        XCTAssertEqual(byId.code, 0, byId.err)
        XCTAssertTrue(byId.out.contains("\"name\": \"web\""), byId.out)
        XCTAssertTrue(byId.out.contains("web.out.log"), byId.out)
        let unknown = h.fom("describe", "9")
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.err.contains("unknown instance \"9\" (known: 0 web, 1 review)"), unknown.err)
    }

    func testValidateNamesTheLineThatLacksAComma() throws {
        let h = try FomHarness(
            config: "{\n  \"instances\": [\n    {\"name\": \"a\", \"kind\": \"process\", \"command\": [\"true\"]}\n"
                + "    {\"name\": \"b\", \"kind\": \"process\", \"command\": [\"true\"]}\n  ]\n}\n")
        harness = h
        let validate = h.fom("validate")
        XCTAssertEqual(validate.code, 1)
        XCTAssertEqual(
            validate.err.trimmingCharacters(in: .newlines),
            "supervisor.json:4:5: expected ',' or ']' after array element; missing ',' after line 3?")
    }
}
