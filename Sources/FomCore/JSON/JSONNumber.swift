/// A JSON number kept as its text, so 64-bit ids round-trip exactly and nothing is lost to `Double`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral
{
    /// Valid JSON number syntax, always (checked by every initialiser).
    public let text: String

    public init(_ value: Int) {
        text = String(value)
    }

    /// Nil for infinity and NaN, which JSON cannot express.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = value.description
    }

    /// Nil unless `text` is a JSON number (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
    public init?(text: String) {
        guard Self.isValid(Array(text.utf8)[...]) else { return nil }
        self.text = text
    }

    /// For the reader, which has already checked the syntax.
    init(validatedText: String) {
        text = validatedText
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else { preconditionFailure("JSON has no infinity or NaN") }
        self = number
    }

    /// The value when the text is an integer that fits `Int` (no fraction, no exponent).
    public var intValue: Int? { Int(text) }

    /// The nearest `Double`; infinite when the text is beyond `Double`'s range.
    public var doubleValue: Double? { Double(text) }

    public var description: String { text }

    /// Equal when they denote the same number: `1` == `1.0`, and big integers compare exactly.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        if let l = lhs.intValue, let r = rhs.intValue { return l == r }
        guard let l = lhs.doubleValue, let r = rhs.doubleValue else { return false }
        return l == r
    }

    public func hash(into hasher: inout Hasher) {
        // Integers and doubles that compare equal round to the same Double, so this agrees with ==.
        hasher.combine(doubleValue ?? 0)
    }

    /// The JSON number grammar; the reader uses the same rules while scanning.
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        let end = bytes.endIndex
        func digits() -> Int {
            let start = i
            while i < end, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < end, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end else { return false }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == end
    }
}
