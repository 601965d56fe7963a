/// Where each value of a JSON document sits in its bytes: the start and end offset of every value
/// and the start of every key. `JSONReader` keeps line and column for messages; an edit that must
/// leave every other byte as it was needs byte ranges, which this scanner gives.
struct JSONSpan {
    enum Content {
        case scalar
        case array([JSONSpan])
        case object([Member])
    }

    struct Member {
        let key: String
        /// Offset of the key's opening quote.
        let keyStart: Int
        let value: JSONSpan
    }

    /// Offset of the value's first byte.
    let start: Int
    /// Offset just past the value's last byte.
    let end: Int
    let content: Content

    var members: [Member] {
        if case .object(let members) = content { return members }
        return []
    }

    var elements: [JSONSpan] {
        if case .array(let elements) = content { return elements }
        return []
    }

    var isObject: Bool {
        if case .object = content { return true }
        return false
    }

    var isArray: Bool {
        if case .array = content { return true }
        return false
    }

    func member(_ key: String) -> Member? {
        members.first { $0.key == key }
    }
}

/// Scans a document that `JSONReader` has already accepted, so it checks nothing: it only finds
/// where things are. Returns nil on anything it does not expect rather than guessing.
struct JSONSpanScanner {
    private let bytes: [UInt8]
    private var index = 0

    static func scan(_ bytes: [UInt8]) -> JSONSpan? {
        var scanner = JSONSpanScanner(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.skipWhitespace()
        guard let root = scanner.value(depth: 0) else { return nil }
        scanner.skipWhitespace()
        return scanner.index == bytes.count ? root : nil
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value(depth: Int) -> JSONSpan? {
        guard index < bytes.count, depth <= JSONReader.maximumDepth else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [JSONSpan.Member] = []
            skipWhitespace()
            if peek(UInt8(ascii: "}")) {
                index += 1
                return JSONSpan(start: start, end: index, content: .object([]))
            }
            while true {
                skipWhitespace()
                let keyStart = index
                guard peek(UInt8(ascii: "\"")), skipString() else { return nil }
                let raw = String(decoding: bytes[keyStart..<index], as: UTF8.self)
                guard let key = (try? JSONReader.parseValue(raw))?.stringValue else { return nil }
                skipWhitespace()
                guard peek(UInt8(ascii: ":")) else { return nil }
                index += 1
                skipWhitespace()
                guard let member = value(depth: depth + 1) else { return nil }
                members.append(JSONSpan.Member(key: key, keyStart: keyStart, value: member))
                skipWhitespace()
                if peek(UInt8(ascii: ",")) {
                    index += 1
                    continue
                }
                guard peek(UInt8(ascii: "}")) else { return nil }
                index += 1
                return JSONSpan(start: start, end: index, content: .object(members))
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONSpan] = []
            skipWhitespace()
            if peek(UInt8(ascii: "]")) {
                index += 1
                return JSONSpan(start: start, end: index, content: .array([]))
            }
            while true {
                skipWhitespace()
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipWhitespace()
                if peek(UInt8(ascii: ",")) {
                    index += 1
                    continue
                }
                guard peek(UInt8(ascii: "]")) else { return nil }
                index += 1
                return JSONSpan(start: start, end: index, content: .array(elements))
            }
        case UInt8(ascii: "\""):
            guard skipString() else { return nil }
            return JSONSpan(start: start, end: index, content: .scalar)
        default:
            // A number or a literal: everything up to the next delimiter.
            while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
            return index > start ? JSONSpan(start: start, end: index, content: .scalar) : nil
        }
    }

    /// With `index` on an opening quote: moves past the closing one.
    private mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return false
    }

    private func peek(_ byte: UInt8) -> Bool {
        index < bytes.count && bytes[index] == byte
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: ":")
    }
}
