/// What FiftyOne makes of a `FIFTYONE_CVAT_*` value (`fiftyone/core/config.py`,
/// `_parse_env_value`): it tries `int()`, then `float()`, then `True`/`true`/`False`/`false`,
/// then `None` or empty, then splits at commas; only what passes none of these stays text. Used
/// when FiftyOne itself cannot be asked (REFERENCE.md, "CVAT settings as FiftyOne reads them").
public enum FiftyOneValueKind: Sendable, Equatable {
    case text
    case integer
    case decimal
    case boolean
    case none
    case list(count: Int)

    /// As in "FiftyOne reads FIFTYONE_CVAT_PASSWORD as ...".
    public var description: String {
        switch self {
        case .text: "text"
        case .integer: "a whole number"
        case .decimal: "a decimal number"
        case .boolean: "a boolean"
        case .none: "None"
        case .list(let count): "a list of \(count) values (it splits at ',')"
        }
    }
}

public enum FiftyOneValueRules {
    public static func kind(of value: String) -> FiftyOneValueKind {
        if isPythonInt(value) { return .integer }
        if isPythonFloat(value) { return .decimal }
        if ["True", "true", "False", "false"].contains(value) { return .boolean }
        if value == "None" || value.isEmpty { return .none }
        if value.contains(",") {
            return .list(count: value.split(separator: ",", omittingEmptySubsequences: false).count)
        }
        return .text
    }

    /// Python's `int(str)` in base 10: surrounding whitespace, a sign, digits with single
    /// underscores between them.
    static func isPythonInt(_ value: String) -> Bool {
        var s = Substring(stripped(value))
        if let first = s.first, first == "+" || first == "-" { s = s.dropFirst() }
        return isDigitPart(s)
    }

    /// Python's `float(str)`: also `1.`, `.5`, exponents, `inf`, `infinity` and `nan` in any case.
    static func isPythonFloat(_ value: String) -> Bool {
        var s = Substring(stripped(value))
        if let first = s.first, first == "+" || first == "-" { s = s.dropFirst() }
        if ["inf", "infinity", "nan"].contains(s.lowercased()) { return true }
        var mantissa = s
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]
            var exponent = s[s.index(after: e)...]
            if let first = exponent.first, first == "+" || first == "-" { exponent = exponent.dropFirst() }
            guard isDigitPart(exponent) else { return false }
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isDigitPart(parts[0])
        case 2:
            if parts[0].isEmpty { return isDigitPart(parts[1]) }
            return isDigitPart(parts[0]) && (parts[1].isEmpty || isDigitPart(parts[1]))
        default: return false
        }
    }

    /// Digits, with single underscores only between two digits (`1_000`).
    private static func isDigitPart(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, first.isASCIIDigit, last.isASCIIDigit else { return false }
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if c.isASCIIDigit {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// `str.strip()` for the ASCII whitespace Python strips (enough for values from a .env file).
    private static func stripped(_ value: String) -> String {
        let space: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        var s = Substring(value)
        while let c = s.first, space.contains(c) { s = s.dropFirst() }
        while let c = s.last, space.contains(c) { s = s.dropLast() }
        return String(s)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
