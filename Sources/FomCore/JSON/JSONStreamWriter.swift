/// Pretty JSON written straight to bytes, member by member, in exactly the layout
/// `JSONValue.serialized(pretty: true)` gives: for a document written often and large enough
/// that building it as a `JSONValue` first is most of its cost (the state file, saved at every
/// exit, holds an object per instance).
public struct JSONStreamWriter {
    public private(set) var bytes: [UInt8] = []
    /// For each open object: whether a member was written into it yet.
    private var hasMembers: [Bool] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object: the document itself, or the value of the member just named by `key`.
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        hasMembers.append(false)
    }

    public mutating func endObject() {
        guard let written = hasMembers.popLast() else { preconditionFailure("endObject without beginObject") }
        if written { newline() }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts a member of the innermost open object; its value comes next.
    public mutating func key(_ name: String) {
        precondition(!hasMembers.isEmpty, "a key outside of an object")
        if hasMembers[hasMembers.count - 1] { bytes.append(UInt8(ascii: ",")) }
        hasMembers[hasMembers.count - 1] = true
        newline()
        JSONWriter.appendString(name, to: &bytes)
        bytes.append(contentsOf: ": ".utf8)
    }

    public mutating func string(_ value: String) { JSONWriter.appendString(value, to: &bytes) }

    /// Digits straight into the bytes: `String(value)` for each of a few thousand numbers was a
    /// fifth of the state file's cost.
    public mutating func int(_ value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: 19 digits and a sign fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            var rest = value.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: buffer[start...])
        }
    }

    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: Int64) {
        key(name)
        int(value)
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<hasMembers.count { bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
    }
}
