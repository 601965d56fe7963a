import Foundation
import XCTest

/// Why an instance is errored shows in `fom list` (under the table) and in `--json`, and the
/// text does not repeat the instance's name.
final class ErroredReasonTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testListShowsWhyAnInstanceIsErroredWithoutRepeatingItsName() throws {
        let h = try FomHarness(
            config: """
                {"instances": [
                  {"name": "annotate", "kind": "process", "command": ["sleep", "3013"], "cvatSync": true},
                  {"name": "ok", "kind": "process", "command": ["sleep", "3014"]}
                ]}
                """)
        harness = h
        try h.write(".env", "CVAT_URL=http://cvat.local\n")
        let start = h.fom("start")
        XCTAssertEqual(start.code, 1, start.out + start.err)
        XCTAssertTrue(
            start.err.contains("annotate is errored: cvatSync is on but CVAT_USERNAME and CVAT_PASSWORD"), start.err)
        XCTAssertFalse(start.err.contains("annotate: cvatSync"), "the name once: \(start.err)")

        let list = h.fom("list")
        XCTAssertEqual(list.code, 0, list.err)
        let lines = list.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, list.out)
        XCTAssertTrue(
            lines.last?.hasPrefix(
                "annotate: errored: cvatSync is on but CVAT_USERNAME and CVAT_PASSWORD are missing or empty (set them in "
            ) == true, list.out)
        XCTAssertFalse(list.out.contains("ok: errored"), list.out)

        let row = h.list()["annotate"]
        XCTAssertEqual(row?["status"] as? String, "errored")
        XCTAssertTrue(
            (row?["reason"] as? String)?.hasPrefix("cvatSync is on but CVAT_USERNAME") == true, "\(row ?? [:])")
    }
}
