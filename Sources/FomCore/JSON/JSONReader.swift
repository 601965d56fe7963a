/// Reads JSON (RFC 8259) and keeps the position of every value and key. Strict on purpose:
/// no comments, no trailing commas, no duplicate keys, so a config means exactly one thing.
public enum JSONReader {
    /// Deeper documents are refused. Parsing itself needs no call stack per level, but turning a
    /// tree back into text does, and no real document comes close.
    public static let maximumDepth = 512

    /// The document with the position of every value and key (for config files).
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        try run(text, JSONNodeBuilder.self)
    }

    /// The document as plain data, built directly without positions (for protocol lines).
    public static func parseValue(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try run(text, JSONValueBuilder.self)
    }

    /// Bytes as they arrive from a socket; invalid UTF-8 is a syntax error, not silently replaced.
    public static func parseValue(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try parseValue(validated(bytes))
    }

    public static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        try parse(validated(bytes))
    }

    private static func run<Builder: JSONTreeBuilder>(_ text: String, _: Builder.Type) throws(JSONSyntaxError)
        -> Builder.Node
    {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONSyntaxError) -> Builder.Node in
                var parser = JSONParser<Builder>(buffer)
                return try parser.parseDocument()
            }
        }
        return try result.get()
    }

    private static func validated(_ bytes: [UInt8]) throws(JSONSyntaxError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw JSONSyntaxError(position: invalidUTF8Position(bytes), message: "invalid UTF-8")
        }
        return text
    }

    /// Line and column of the first byte that breaks UTF-8, counting scalars before it.
    private static func invalidUTF8Position(_ bytes: [UInt8]) -> JSONPosition {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var line = 1
        var column = 1
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return JSONPosition(line: line, column: column)
    }
}
