import FomRuntime
import XCTest

/// The state file loader believes only a file that makes sense: every number in range, every id
/// given once; anything else is an error that says where.
final class StateFileParsingTests: XCTestCase {
    func problem(_ text: String) -> String? {
        do {
            _ = try StateStore.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    func testWellFormedStateRoundTrips() throws {
        var store = StateStore()
        store.ids.assign(["a", "b"])
        store.wanted = ["a": true, "b": false]
        store.running = ["a": .init(pid: 42, startTime: 1234)]
        store.progress = [
            "a": .init(restarts: 3, failures: 1, onlineAtNs: 5_000_000_000),
            "b": .init(restarts: 2, failures: 2, retryAtNs: 9_000_000_000),
            "c": .init(restarts: 4, failures: 4, errored: "gave up after 4 failed starts in a row"),
        ]
        store.bootID = "0f6c1e52-5b2e-4d9c-9a63-3c1f0e7f2b11"
        let parsed = try StateStore.parse(Array(store.json.serialized().utf8))
        XCTAssertEqual(parsed, store)
    }

    /// What `save` writes is the document `json` describes, byte for byte as its pretty form,
    /// and reads back as the same state: empty objects, escapes in a reason, every field.
    func testSavedTextIsThePrettyDocument() throws {
        var empty = StateStore()
        XCTAssertEqual(String(decoding: empty.text, as: UTF8.self), empty.json.serialized(pretty: true))
        empty.bootID = "b"
        XCTAssertEqual(String(decoding: empty.text, as: UTF8.self), empty.json.serialized(pretty: true))

        var store = StateStore()
        store.ids.assign(["a", "b", "c", "d"])
        store.wanted = ["a": true, "b": false, "d": true]
        store.running = ["a": .init(pid: 42, startTime: 1234), "c": .init(pid: 4_194_304, startTime: 1 << 40)]
        store.progress = [
            "a": .init(restarts: 3, failures: 1, onlineAtNs: 5_000_000_000),
            "b": .init(restarts: 2, failures: 2, retryAtNs: 9_000_000_000),
            "c": .init(restarts: 4, failures: 4, errored: "gave up: \"port\" 8080\nin use\t\u{1}\\"),
            "d": .init(),
        ]
        store.bootID = "0f6c1e52-5b2e-4d9c-9a63-3c1f0e7f2b11"
        XCTAssertEqual(String(decoding: store.text, as: UTF8.self), store.json.serialized(pretty: true))
        var expected = store
        expected.progress["d"] = nil  // an empty budget is not written
        XCTAssertEqual(try StateStore.parse(store.text), expected)
    }

    func testEachSenselessValueIsNamedByItsKey() {
        let cases: [(String, String)] = [
            (#"{"instances":{"a":{"pid":1,"startTime":-5}}}"#, "instances.a.startTime"),
            (#"{"instances":{"a":{"pid":99999999999,"startTime":5}}}"#, "instances.a.pid"),
            (#"{"instances":{"a":{"pid":0,"startTime":5}}}"#, "instances.a.pid"),
            (#"{"instances":{"a":{"pid":7}}}"#, "instances.a"),
            (#"{"instances":{"a":{"pid":7,"startTime":5,"restarts":-1}}}"#, "instances.a.restarts"),
            (#"{"instances":{"a":{"pid":7,"startTime":5,"failures":"x"}}}"#, "instances.a.failures"),
            (#"{"instances":{"a":{"wanted":"sideways"}}}"#, "instances.a.wanted"),
            (#"{"instances":{"a":{"failures":2,"retryAt":-4}}}"#, "instances.a.retryAt"),
            (#"{"instances":{"a":{"onlineAt":"soon"}}}"#, "instances.a.onlineAt"),
            (#"{"instances":{"a":{"errored":3}}}"#, "instances.a.errored"),
            (#"{"boot":7}"#, "boot"),
            (#"{"instances":[]}"#, "instances"),
            (#"{"nextId":9223372036854775807}"#, "nextId"),
            (#"{"nextId":-1}"#, "nextId"),
            (#"{"ids":{"a":-3}}"#, "ids.a"),
            (#"{"ids":{"a":1,"b":1}}"#, "also the id of"),
            (#"{"version":2}"#, "version"),
            ("[1,2]", "not a JSON object"),
        ]
        for (text, expected) in cases {
            let message = problem(text)
            XCTAssertNotNil(message, text)
            XCTAssertTrue(message?.contains(expected) ?? false, "\(text): \(message ?? "accepted")")
        }
    }

    func testSyntaxErrorSaysWhere() {
        let message = problem("{\"ids\": {\"a\": 1,\n  }")
        XCTAssertNotNil(message)
        XCTAssertTrue(message?.contains("2:") ?? false, message ?? "")
    }
}
