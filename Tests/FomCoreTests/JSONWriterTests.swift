import FomCore
import XCTest

final class JSONWriterTests: XCTestCase {
    func testCompactForm() {
        let value: JSONValue = [
            "id": 0, "name": "annotate", "ok": true, "none": .null, "ratio": 0.5, "list": [1, "two"], "empty": [:],
            "nothing": [],
        ]
        XCTAssertEqual(
            value.serialized(),
            #"{"id":0,"name":"annotate","ok":true,"none":null,"ratio":0.5,"list":[1,"two"],"empty":{},"nothing":[]}"#)
        XCTAssertEqual(value.description, value.serialized())
    }

    /// The stream writer lays a document out as the pretty form of the same value does.
    func testStreamWriterWritesThePrettyForm() {
        var w = JSONStreamWriter()
        w.beginObject()
        w.member("zero", 0)
        w.member("small", -7)
        w.member("min", Int64.min)
        w.member("max", Int64.max)
        w.member("plain", "annotate")
        w.member("escaped", "a \"quote\", a \\, a\nnewline, a \u{1}")
        w.key("empty")
        w.beginObject()
        w.endObject()
        w.key("nested")
        w.beginObject()
        w.key("deeper")
        w.beginObject()
        w.member("x", 1)
        w.endObject()
        w.member("y", "z")
        w.endObject()
        w.endObject()
        let value: JSONValue = [
            "zero": 0, "small": -7, "min": JSONValue(Int(Int64.min)), "max": JSONValue(Int(Int64.max)),
            "plain": "annotate", "escaped": "a \"quote\", a \\, a\nnewline, a \u{1}", "empty": [:],
            "nested": ["deeper": ["x": 1], "y": "z"],
        ]
        XCTAssertEqual(String(decoding: w.bytes, as: UTF8.self), value.serialized(pretty: true))
    }

    func testPrettyForm() {
        let value: JSONValue = ["a": 1, "b": [true, ["c": "d"]], "e": [], "f": [:]]
        XCTAssertEqual(
            value.serialized(pretty: true),
            """
            {
              "a": 1,
              "b": [
                true,
                {
                  "c": "d"
                }
              ],
              "e": [],
              "f": {}
            }
            """)
        XCTAssertEqual(JSONValue.string("x").serialized(pretty: true), "\"x\"")
    }

    func testEscaping() {
        let value = JSONValue.string("q\"b\\n\nr\rt\tnul\u{0}bel\u{7}bs\u{8}ff\u{C}us\u{1F}del\u{7F}é😀/")
        XCTAssertEqual(
            value.serialized(),
            #""q\"b\\n\nr\rt\tnul\u0000bel\u0007bs\bff\fus\u001fdel"# + "\u{7F}é😀/\"")
    }

    func testCompactOutputNeverHasARawNewline() throws {
        let value: JSONValue = ["line\nkey": ["a\nb", "c\r\nd", ["x\u{2028}y": "\n"]]]
        let text = value.serialized()
        XCTAssertFalse(text.contains("\n"))
        XCTAssertFalse(text.contains("\r"))
        XCTAssertEqual(try JSONValue(parsing: text), value)
    }

    func testRoundTrip() throws {
        let text = #"{"b":[1,-2.5e-3,"x\u0001"],"a":{"z":null,"y":false},"c":"€"}"#
        let value = try JSONValue(parsing: text)
        XCTAssertEqual(value.serialized(), #"{"b":[1,-2.5e-3,"x\u0001"],"a":{"z":null,"y":false},"c":"€"}"#)
        XCTAssertEqual(try JSONValue(parsing: value.serialized(pretty: true)), value)
        XCTAssertEqual(try JSONReader.parse(text).value, value, "both trees hold the same data")
    }

    func testObjectEditing() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["c"] = 3
        object["a"] = "one"
        object["b"] = nil
        XCTAssertEqual(object.keys, ["a", "c"])
        XCTAssertEqual(JSONValue.object(object).serialized(), #"{"a":"one","c":3}"#)
        XCTAssertEqual(object.removeValue(forKey: "c"), 3)
        XCTAssertEqual(object.count, 1)
        var pairs: [String] = []
        for (key, value) in object { pairs.append("\(key)=\(value)") }
        XCTAssertEqual(pairs, [#"a="one""#])
    }

    func testObjectEqualityIgnoresKeyOrder() {
        XCTAssertEqual(JSONValue(["a": 1, "b": 2] as JSONObject), ["b": 2, "a": 1])
        XCTAssertNotEqual(JSONValue(["a": 1]), ["a": 1, "b": 2])
        XCTAssertNotEqual(JSONValue([1, 2]), [2, 1])
    }

    func testConvenienceInitialisers() {
        XCTAssertEqual(JSONValue(5).serialized(), "5")
        XCTAssertEqual(JSONValue(2.5).serialized(), "2.5")
        XCTAssertEqual(JSONValue("s").serialized(), "\"s\"")
        XCTAssertEqual(JSONValue(false).serialized(), "false")
        XCTAssertEqual(JSONValue([JSONValue(1)]).serialized(), "[1]")
        XCTAssertEqual(JSONValue.null.serialized(), "null")
        XCTAssertTrue(JSONValue.null.isNull)
        XCTAssertEqual(JSONValue(1).intValue, 1)
        XCTAssertEqual(JSONValue([1]).arrayValue?.count, 1)
    }
}
