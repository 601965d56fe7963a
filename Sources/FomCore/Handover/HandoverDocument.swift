/// The state `fom upgrade` hands from one daemon binary to the next, as text: a header line
/// with a format version and a checksum of the body, then the body as JSON. The new binary
/// takes it whole or not at all: a header it does not know, another format, or a body that does
/// not match its checksum is refused before anything is touched.
public enum HandoverDocument {
    /// Bumped whenever the body's meaning changes; a binary takes only its own format.
    public static let format = 1
    static let magic = "fom-handover"

    public static func encode(_ body: JSONValue) -> String {
        let text = body.serialized()
        return "\(magic) \(format) \(Fingerprint.of(text))\n" + text
    }

    public static func decode(_ text: String) throws(HandoverError) -> JSONValue {
        guard let newline = text.firstIndex(of: "\n") else { throw HandoverError("the handed state has no header") }
        let header = text[..<newline].split(separator: " ")
        guard header.count == 3, header[0] == magic, let version = Int(header[1]) else {
            throw HandoverError("the handed state is not a fom handover (header \"\(text[..<newline].prefix(40))\")")
        }
        guard version == format else {
            throw HandoverError("the handed state has format \(version); this binary takes format \(format)")
        }
        let body = String(text[text.index(after: newline)...])
        guard Fingerprint.of(body) == header[2] else {
            throw HandoverError("the handed state does not match its checksum (\(header[2]))")
        }
        do {
            return try JSONValue(parsing: body)
        } catch {
            throw HandoverError("the handed state is not valid JSON: \(error.message)")
        }
    }
}

/// Why a handed state cannot be taken; said by `fom upgrade`.
public struct HandoverError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reading a handed body: every missing or mistyped key is an error that names it.
public struct HandoverReader {
    public let value: JSONValue
    let path: String

    public init(_ value: JSONValue, path: String = "state") {
        self.value = value
        self.path = path
    }

    public func child(_ key: String) throws(HandoverError) -> HandoverReader {
        guard let v = value[key], !v.isNull else { throw HandoverError("\(path).\(key) is missing") }
        return HandoverReader(v, path: "\(path).\(key)")
    }

    public func optionalChild(_ key: String) -> HandoverReader? {
        guard let v = value[key], !v.isNull else { return nil }
        return HandoverReader(v, path: "\(path).\(key)")
    }

    public func int(_ key: String) throws(HandoverError) -> Int {
        guard let n = value[key]?.intValue else { throw HandoverError("\(path).\(key) is not a number") }
        return n
    }

    public func optionalInt(_ key: String) -> Int? { value[key]?.intValue }

    public func string(_ key: String) throws(HandoverError) -> String {
        guard let s = value[key]?.stringValue else { throw HandoverError("\(path).\(key) is not a string") }
        return s
    }

    public func optionalString(_ key: String) -> String? { value[key]?.stringValue }

    public func bool(_ key: String) throws(HandoverError) -> Bool {
        guard let b = value[key]?.boolValue else { throw HandoverError("\(path).\(key) is not true or false") }
        return b
    }

    public func optionalBool(_ key: String) -> Bool? { value[key]?.boolValue }

    public func array(_ key: String) throws(HandoverError) -> [HandoverReader] {
        guard let items = value[key]?.arrayValue else { throw HandoverError("\(path).\(key) is not an array") }
        return items.enumerated().map { HandoverReader($0.element, path: "\(path).\(key)[\($0.offset)]") }
    }

    public func strings(_ key: String) throws(HandoverError) -> [String] {
        var out: [String] = []
        for item in try array(key) {
            guard let s = item.value.stringValue else { throw HandoverError("\(item.path) is not a string") }
            out.append(s)
        }
        return out
    }

    public func stringMap(_ key: String) throws(HandoverError) -> [String: String] {
        guard let object = value[key]?.objectValue else { throw HandoverError("\(path).\(key) is not an object") }
        var out: [String: String] = [:]
        for (k, v) in object {
            guard let s = v.stringValue else { throw HandoverError("\(path).\(key).\(k) is not a string") }
            out[k] = s
        }
        return out
    }

    /// Bytes as an array of numbers (a log line being assembled).
    public func bytes(_ key: String) throws(HandoverError) -> [UInt8] {
        var out: [UInt8] = []
        for item in try array(key) {
            guard let n = item.value.intValue, let b = UInt8(exactly: n) else {
                throw HandoverError("\(item.path) is not a byte")
            }
            out.append(b)
        }
        return out
    }

    public func fail(_ message: String) -> HandoverError { HandoverError("\(path): \(message)") }
}

extension JSONValue {
    /// Bytes as an array of numbers, read back by `HandoverReader.bytes`.
    public init(bytes: [UInt8]) { self = .array(bytes.map { JSONValue(Int($0)) }) }

    public init(optional value: String?) { self = value.map { .string($0) } ?? .null }
    public init(optional value: Int?) { self = value.map { JSONValue($0) } ?? .null }
}
