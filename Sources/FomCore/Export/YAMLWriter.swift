/// Writes `YAMLValue`s in block style. A string is written plain only when every YAML reader (1.1
/// as PyYAML and Go's yaml.v2, and 1.2) reads it back as that same string; otherwise it is
/// double-quoted with escapes. So `yes`, `on`, `null`, `0755`, `1:30`, `2024-01-01`, `*x`, `a: b`,
/// `a #b`, the empty string and multi-line values all come back as the strings they were.
public enum YAMLWriter {
    /// One document, ending with a newline.
    public static func document(_ value: YAMLValue) -> String {
        lines(value, indent: 0).joined(separator: "\n") + "\n"
    }

    /// Several documents in one stream, separated by `---`.
    public static func documents(_ values: [YAMLValue]) -> String {
        values.map(document).joined(separator: "---\n")
    }

    /// A scalar as it appears after `key: ` or `- `.
    public static func scalar(_ text: String) -> String {
        isSafePlain(text) ? text : doubleQuoted(text)
    }

    private static func lines(_ value: YAMLValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .string, .int, .bool, .list([]), .map([]):
            return [pad + inline(value)!]
        case .list(let items):
            var out: [String] = []
            for item in items {
                if let text = inline(item) {
                    out.append(pad + "- " + text)
                } else {
                    // The item's first line goes after the dash; the rest keep its indentation.
                    var nested = lines(item, indent: indent + 2)
                    nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                    out += nested
                }
            }
            return out
        case .map(let entries):
            var out: [String] = []
            for entry in entries {
                let key = pad + scalar(entry.key) + ":"
                if let text = inline(entry.value) {
                    out.append(key + " " + text)
                } else {
                    out.append(key)
                    out += lines(entry.value, indent: indent + 2)
                }
            }
            return out
        }
    }

    /// The one-line form of scalars and empty collections; nil for what needs a block.
    private static func inline(_ value: YAMLValue) -> String? {
        switch value {
        case .string(let text): scalar(text)
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): items.isEmpty ? "[]" : nil
        case .map(let entries): entries.isEmpty ? "{}" : nil
        }
    }

    /// Words that YAML 1.1 or 1.2 turns into booleans or null, compared case-insensitively.
    static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ]

    /// Plain only for a conservative shape: starts with a letter, `/`, `_`, or dashes then a letter
    /// (`--port`); then letters, digits and `_ . / - : @ , = +`, with no `: ` and no final `:`.
    /// Starting with a letter rules out every number, date and sexagesimal YAML 1.1 would see;
    /// the reserved words are the only letter-first strings with another meaning.
    static func isSafePlain(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return false }
        if reservedWords.contains(text.lowercased()) { return false }
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        if first == UInt8(ascii: "-") {
            guard let firstOther = bytes.firstIndex(where: { $0 != UInt8(ascii: "-") }), isLetter(bytes[firstOther])
            else { return false }
        } else if !(isLetter(first) || first == UInt8(ascii: "/") || first == UInt8(ascii: "_")) {
            return false
        }
        let allowed = Set("_./-:@,=+".utf8)
        for (i, b) in bytes.enumerated() {
            guard isLetter(b) || isDigit(b) || allowed.contains(b) else { return false }
            if b == UInt8(ascii: ":"), i == bytes.count - 1 { return false }
        }
        return true
    }

    /// A double-quoted scalar: `\` and `"` escaped, control characters and the characters YAML
    /// 1.1 treats as line breaks (NEL, LS, PS) or a BOM written as escapes.
    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                out += "\\u" + hex(scalar.value, digits: 4)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
