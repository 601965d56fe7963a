/// The parser over the UTF-8 bytes of one document, building whatever tree `Builder` makes.
struct JSONParser<Builder: JSONTreeBuilder> {
    typealias Node = Builder.Node

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line = 1
    private var lineStart = 0
    // Column of `columnOffset`, advanced incrementally so positions stay O(n) over a long line.
    private var columnOffset = 0
    private var columnValue = 1

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> Node {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
            lineStart = 3
            columnOffset = 3
        }
        skipWhitespace()
        guard index < bytes.count else { throw error("empty input") }
        let node = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw expected("unexpected \(describeCurrent()) after the JSON value")
        }
        return node
    }

    // MARK: values

    /// An array or object being filled. Containers live on an explicit stack, not the call stack,
    /// so nesting depth costs heap, not the stack of whatever thread is parsing.
    private struct OpenContainer {
        let start: JSONPosition
        let isObject: Bool
        var elements: [Node] = []
        var members: [(key: String, keyPosition: JSONPosition, value: Node)] = []
        var pendingKey = ""
        var pendingKeyPosition = JSONPosition(line: 0, column: 0)
        /// Filled only once an object is big enough for a scan to be slow.
        var keys: Set<String> = []
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> Node {
        var open: [OpenContainer] = []
        while true {
            // Read one value; an opened container that is not empty goes on to its first element.
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
            let start = position()
            var node: Node
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[index] == UInt8(ascii: "{")
                guard open.count < JSONReader.maximumDepth else {
                    throw JSONSyntaxError(
                        position: start, message: "nesting deeper than \(JSONReader.maximumDepth) levels")
                }
                index += 1
                skipWhitespace()
                if peek(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    node = isObject ? Builder.object([], at: start) : Builder.array([], at: start)
                } else {
                    open.append(OpenContainer(start: start, isObject: isObject))
                    if isObject {
                        guard peek(UInt8(ascii: "\"")) else { throw expected("expected a string key or '}'") }
                        try readKey(into: &open[open.count - 1])
                    }
                    continue
                }
            case UInt8(ascii: "\""): node = Builder.string(try parseString(start), at: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): node = try parseNumber(start)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                node = try parseWord(start)
            case UInt8(ascii: "'"): throw error("strings must use double quotes")
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON")
            default: throw error("unexpected \(describeCurrent()), expected a value")
            }

            // Hand the value to its container; close every container that ends right after it.
            while true {
                guard !open.isEmpty else { return node }
                let top = open.count - 1
                let valueEndLine = line
                skipWhitespace()
                if open[top].isObject {
                    open[top].members.append((open[top].pendingKey, open[top].pendingKeyPosition, node))
                    if peek(UInt8(ascii: ",")) {
                        index += 1
                        skipWhitespace()
                        guard peek(UInt8(ascii: "\"")) else {
                            if peek(UInt8(ascii: "}")) { throw error("trailing comma before '}'") }
                            throw expected("expected a string key after ','")
                        }
                        try readKey(into: &open[top])
                        break
                    }
                    guard peek(UInt8(ascii: "}")) else {
                        throw expected("expected ',' or '}' after object member" + missingComma(after: valueEndLine))
                    }
                    index += 1
                    let closed = open.removeLast()
                    node = Builder.object(closed.members, at: closed.start)
                } else {
                    open[top].elements.append(node)
                    if peek(UInt8(ascii: ",")) {
                        index += 1
                        skipWhitespace()
                        if peek(UInt8(ascii: "]")) { throw error("trailing comma before ']'") }
                        break
                    }
                    guard peek(UInt8(ascii: "]")) else {
                        throw expected("expected ',' or ']' after array element" + missingComma(after: valueEndLine))
                    }
                    index += 1
                    let closed = open.removeLast()
                    node = Builder.array(closed.elements, at: closed.start)
                }
            }
        }
    }

    /// Reads `"key" :` with `index` on the opening quote, rejecting a key the object already has.
    private mutating func readKey(into container: inout OpenContainer) throws(JSONSyntaxError) {
        let keyPosition = position()
        let key = try parseString(keyPosition)
        let duplicate: Bool
        if container.members.count < JSONObject.indexThreshold {
            duplicate = container.members.contains(where: { JSONObject.sameKey($0.key, key) })
        } else {
            if container.keys.isEmpty { container.keys = Set(container.members.map(\.key)) }
            duplicate = !container.keys.insert(key).inserted
        }
        if duplicate {
            throw JSONSyntaxError(position: keyPosition, message: "duplicate key \"\(key)\"")
        }
        skipWhitespace()
        guard peek(UInt8(ascii: ":")) else { throw expected("expected ':' after object key") }
        index += 1
        container.pendingKey = key
        container.pendingKeyPosition = keyPosition
    }

    /// `true`, `false`, `null`; any other word gets a message that names it (`True`, `None`, `NaN`).
    private mutating func parseWord(_ start: JSONPosition) throws(JSONSyntaxError) -> Node {
        let wordStart = index
        while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
        let word = String(decoding: bytes[wordStart..<index], as: UTF8.self)
        switch word {
        case "true": return Builder.bool(true, at: start)
        case "false": return Builder.bool(false, at: start)
        case "null": return Builder.null(at: start)
        default:
            // The word is quoted only when it is a near miss of a literal (`True`, `nul`): other
            // unquoted text may be a value meant as a string, such as a password.
            let lower = word.lowercased()
            let nearMiss = word.count <= 1 || ["true", "false", "null"].contains { $0.hasPrefix(lower) }
            throw JSONSyntaxError(
                position: start,
                message: nearMiss
                    ? "invalid literal '\(word)' (JSON has true, false and null)"
                    : "invalid literal (JSON has true, false and null; a string needs double quotes)")
        }
    }

    private func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private mutating func parseNumber(_ start: JSONPosition) throws(JSONSyntaxError) -> Node {
        let numberStart = index
        // Take everything that could belong to a number, then check it against the grammar.
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                let slice = Array(bytes[numberStart..<index])[...]
                return try finishNumber(slice, start)
            }
        }
        return try finishNumber(Array(bytes[numberStart..<index])[...], start)
    }

    private func finishNumber(_ slice: ArraySlice<UInt8>, _ start: JSONPosition) throws(JSONSyntaxError) -> Node {
        let text = String(decoding: slice, as: UTF8.self)
        guard JSONNumber.isValid(slice) else {
            throw JSONSyntaxError(position: start, message: "invalid number '\(text)'")
        }
        return Builder.number(JSONNumber(validatedText: text), at: start)
    }

    /// Called with `index` on the opening quote; leaves it after the closing one.
    private mutating func parseString(_ start: JSONPosition) throws(JSONSyntaxError) -> String {
        index += 1
        let contentStart = index
        // Fast path: no escapes, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[contentStart..<(index - 1)], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var buffer = Array(bytes[contentStart..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                // A raw line break almost always means a forgotten closing quote.
                throw JSONSyntaxError(position: start, message: "unterminated string")
            case 0..<0x20:
                throw error("control character \(scalarName(UInt32(byte))) in string (escape it)")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw JSONSyntaxError(position: start, message: "unterminated string")
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        let escapePosition = position()
        index += 1
        guard index < bytes.count else {
            throw JSONSyntaxError(position: escapePosition, message: "unterminated string")
        }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "r"): buffer.append(UInt8(ascii: "\r"))
        case UInt8(ascii: "t"): buffer.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "u"):
            var code = try hexQuad(escapePosition)
            if (0xDC00...0xDFFF).contains(code) {
                throw JSONSyntaxError(position: escapePosition, message: "unpaired surrogate in \\u escape")
            }
            if (0xD800...0xDBFF).contains(code) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw JSONSyntaxError(position: escapePosition, message: "unpaired surrogate in \\u escape")
                }
                index += 2
                let low = try hexQuad(escapePosition)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONSyntaxError(position: escapePosition, message: "unpaired surrogate in \\u escape")
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            // Not a surrogate here, so always a valid scalar.
            buffer.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
        default:
            let shown = letter >= 0x20 && letter < 0x7F ? "'\\\(Character(Unicode.Scalar(letter)))'" : "'\\'"
            throw JSONSyntaxError(position: escapePosition, message: "invalid escape \(shown)")
        }
    }

    private mutating func hexQuad(_ escapePosition: JSONPosition) throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexValue(bytes[index]) else {
                throw JSONSyntaxError(position: escapePosition, message: "invalid \\u escape (needs 4 hex digits)")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: positions and helpers

    private func peek(_ byte: UInt8) -> Bool {
        index < bytes.count && bytes[index] == byte
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    /// Position of `index`, which is always on the current line.
    private mutating func position() -> JSONPosition {
        if columnOffset < lineStart || columnOffset > index {
            columnOffset = lineStart
            columnValue = 1
        }
        while columnOffset < index {
            // Continuation bytes (10xxxxxx) do not start a new scalar.
            if bytes[columnOffset] & 0xC0 != 0x80 { columnValue += 1 }
            columnOffset += 1
        }
        return JSONPosition(line: line, column: columnValue)
    }

    private mutating func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(position: position(), message: message)
    }

    /// `message`, unless what is there is a comment, which people do write in config files.
    private mutating func expected(_ message: String) -> JSONSyntaxError {
        error(peek(UInt8(ascii: "/")) ? "comments are not allowed in JSON" : message)
    }

    /// When the next value starts on a later line than the one before it ended, the comma at the
    /// end of that line is the likely fix, while the error points at the line after it.
    private func missingComma(after valueEndLine: Int) -> String {
        guard line > valueEndLine, index < bytes.count else { return "" }
        switch bytes[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "-"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return "; missing ',' after line \(valueEndLine)?"
        default:
            return ""
        }
    }

    /// `'x'` for printable ASCII, `end of input`, else the scalar's code point.
    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        var decoder = UTF8()
        var iterator = bytes[index...].makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalarName(scalar.value) }
        return scalarName(UInt32(byte))
    }

    private func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
