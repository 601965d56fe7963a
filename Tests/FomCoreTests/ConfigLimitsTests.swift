import XCTest

@testable import FomCore

/// Every number a user can write in supervisor.json has a sane range, names have a length
/// limit that keeps their log file names valid, and large JSON objects stay linear.
final class ConfigLimitsTests: XCTestCase {
    func problems(_ text: String) -> [String] {
        do {
            _ = try SupervisorConfig.parse(text: text, path: "/srv/supervisor.json")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func instance(_ fields: String) -> String {
        #"{"instances": [{"name": "p", "kind": "process", "command": ["/bin/true"], "# + fields + "}]}"
    }

    func testHugeKeepIsRefused() {
        let found = problems(#"{"logs": {"keep": 1000000000000}, "instances": []}"#)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.contains("logs.keep: must be at most 1000") ?? false, "\(found)")
    }

    func testDurationThatWouldOverflowIsRefused() {
        let found = problems(instance(#""killTimeout": "2562047h47m""#))
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.contains("killTimeout: must be at most 24h") ?? false, "\(found)")
        for key in ["readyTimeout", "minUptime"] {
            XCTAssertEqual(problems(instance("\"\(key)\": \"25h\"")).count, 1, key)
        }
        XCTAssertEqual(problems(instance(#""backoff": {"initial": "1s", "max": "48h"}"#)).count, 1)
        XCTAssertEqual(problems(instance(#""killTimeout": "24h""#)), [])
    }

    func testHugeSizesAndRestartCountsAreRefused() {
        XCTAssertEqual(problems(#"{"logs": {"maxSize": "2T"}, "instances": []}"#).count, 1)
        XCTAssertEqual(problems(instance(#""maxMemory": "2048G""#)).count, 1)
        XCTAssertEqual(problems(instance(#""maxRestarts": 99999999999""#)).count, 1)
    }

    func testNameTooLongForItsLogFileIsRefused() {
        let long = String(repeating: "n", count: 300)
        let found = problems(
            #"{"instances": [{"name": ""# + long + #"", "kind": "process", "command": ["/bin/true"]}]}"#)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.contains("at most 128") ?? false, "\(found)")
        let fits = String(repeating: "n", count: 128)
        XCTAssertEqual(
            problems(#"{"instances": [{"name": ""# + fits + #"", "kind": "process", "command": ["/bin/true"]}]}"#), [])
    }

    func testLargeJSONObjectIsBuiltAndReadInLinearTime() throws {
        let count = 200_000
        let start = ContinuousClock.now
        var object = JSONObject()
        for i in 0..<count { object["KEY_\(i)"] = .string("v") }
        for i in stride(from: 0, to: count, by: 7) { XCTAssertNotNil(object["KEY_\(i)"]) }
        object["KEY_5"] = nil
        XCTAssertNil(object["KEY_5"])
        XCTAssertEqual(object["KEY_6"], .string("v"))
        XCTAssertEqual(object.count, count - 1)
        let text = "{" + (0..<count).map { "\"K\($0)\": 1" }.joined(separator: ",") + "}"
        let parsed = try JSONValue(parsing: text)
        XCTAssertEqual(parsed["K199999"]?.intValue, 1)
        // Quadratic lookups take minutes here; linear ones a second or two even in a debug build.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(30))
    }
}
