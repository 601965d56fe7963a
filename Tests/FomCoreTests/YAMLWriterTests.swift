import Foundation
import XCTest

@testable import FomCore

/// The YAML writer of `fom export`: what it writes is read back, by a real YAML reader (PyYAML,
/// YAML 1.1 like Kubernetes' and compose's readers), as exactly the values it was given.
final class YAMLWriterTests: XCTestCase {
    /// Strings that a YAML reader would turn into something else if written plain.
    static let trickyStrings = [
        "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "NULL", "~", "", "0", "12", "1.5", "-1", "+1",
        "0x1F", "0o17", "017", "1e3", "1_000", ".inf", "-.inf", ".nan", "1:30", "2024-01-01",
        "2001-12-14t21:59:43.10-05:00", "*alias", "&anchor", "!tag", "%percent", "@at", "`tick", "|pipe",
        ">fold", "'single", "\"double", "#hash", "a: b", "a #b", "a#b", "trailing:", "key: ", "- dash", "-", "--",
        "---", "...", "? q", "?", "[x]", "{x}", "x]", "multi\nline", "two\n\nblank", " lead", "trail ", "tab\there",
        "=", "<<", "a,b", "back\\slash", "mongodb://127.0.0.1:27017", "http://x:1/p?q=1&r=2", "--port", "-m",
        "-1x", "line\u{2028}sep", "nel\u{85}x", "é", "😀", "ctl\u{01}x", "cr\rx", "$(VAR)", "${VAR}", "a\"b'c",
    ]

    func testPlainOnlyForStringsThatReadBackAsThemselves() {
        for text in ["annotate", "mongodb://mongodb:27017", "/fiftyone", "--port", "-m", "fiftyone.server.main", "a:b"]
        {
            XCTAssertEqual(YAMLWriter.scalar(text), text, text)
        }
        for text in ["yes", "no", "on", "Off", "5151", "0.0.0.0", "", "*x", "&x", "!x", "%x", "@x", "a: b", "a #b"] {
            XCTAssertTrue(YAMLWriter.scalar(text).hasPrefix("\""), "\(text) must be quoted")
        }
        XCTAssertEqual(YAMLWriter.scalar("multi\nline"), "\"multi\\nline\"")
        XCTAssertEqual(YAMLWriter.scalar("say \"hi\""), "\"say \\\"hi\\\"\"")
    }

    func testBlockLayout() {
        let value = YAMLValue.object([
            ("name", .string("x")),
            ("list", .list([.string("a"), .object([("k", .int(1)), ("v", .bool(true))]), .list([.string("b")])])),
            ("empty", .list([])), ("none", .map([])), ("skipped", nil),
        ])
        XCTAssertEqual(
            YAMLWriter.document(value),
            """
            name: x
            list:
              - a
              - k: 1
                v: true
              - - b
            empty: []
            none: {}

            """)
        XCTAssertEqual(
            YAMLWriter.documents([.object([("a", .int(1))]), .object([("b", .int(2))])]), "a: 1\n---\nb: 2\n")
    }

    func testEveryTrickyStringReadsBackUnchangedInPyYAML() throws {
        let value = YAMLValue.object([
            ("values", .strings(Self.trickyStrings)),
            ("keys", .map(Self.trickyStrings.map { YAMLEntry($0, .string($0)) })),
            ("numbers", .list([.int(0), .int(-7), .int(5151)])),
            ("flags", .list([.bool(true), .bool(false)])),
            ("nested", .list([.object([("a", .list([.object([("b", .string("yes"))])]))])])),
        ])
        let parsed = try PythonYAML.load(YAMLWriter.document(value)) as? [String: Any]
        XCTAssertEqual(parsed?["values"] as? [String], Self.trickyStrings)
        let keys = parsed?["keys"] as? [String: String] ?? [:]
        XCTAssertEqual(keys.count, Self.trickyStrings.count)
        for text in Self.trickyStrings { XCTAssertEqual(keys[text], text, "key \(text.debugDescription)") }
        XCTAssertEqual(parsed?["numbers"] as? [Int], [0, -7, 5151])
        XCTAssertEqual(parsed?["flags"] as? [Bool], [true, false])
        let nested = (parsed?["nested"] as? [[String: Any]])?.first?["a"] as? [[String: String]]
        XCTAssertEqual(nested?.first?["b"], "yes")
    }
}

/// Reads YAML with the project's Python (.venv, where scripts/setup puts PyYAML) and hands back
/// what JSON makes of it. Fails loudly when the interpreter is missing: run scripts/setup.
enum PythonYAML {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func load(_ text: String) throws -> Any {
        let python = repositoryRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw NSError(domain: "\(python) is missing: run scripts/setup", code: 1)
        }
        let script = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "PyYAML could not read the document: \(message)", code: 2)
        }
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}
