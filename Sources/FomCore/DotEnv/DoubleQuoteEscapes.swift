/// The backslash escapes of a double-quoted `.env` value, as compose-go applies them after it has
/// found the closing quote (`\"` is already a plain `"` by then).
///
/// compose-go matches `\\(?:[abcfnrtv$"\\]|0\d{0,3})` and unquotes each match like a Go rune
/// literal; whatever Go cannot unquote stays as written. That gives:
/// - `\a \b \f \n \r \t \v \\ \"` the usual characters;
/// - `\$` a literal `$` (it becomes `$$`, which the expander turns into `$`);
/// - `\0` plus exactly three octal digits (value at most 255) that code point, so `\0123` is `S`;
///   `\0` with fewer or other digits loses its `0` (`\01` stays `\1`), as in compose-go;
/// - any other backslash (`\c`, `\x41`, `\u00e9`, `\ `) stays, backslash included.
enum DoubleQuoteEscapes {
    static func apply(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let c = text[i]
            guard c == "\\", i + 1 < text.count else {
                out.append(c)
                i += 1
                continue
            }
            let next = text[i + 1]
            i += 2
            switch next {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "$": out.append(contentsOf: ["$", "$"])
            case "0":
                var digits: [Unicode.Scalar] = []
                while digits.count < 3, i < text.count, ("0"..."9").contains(text[i]) {
                    digits.append(text[i])
                    i += 1
                }
                if let scalar = octal(digits) {
                    out.append(scalar)
                } else {
                    out.append("\\")
                    out.append(contentsOf: digits)
                }
            default:
                // Not an escape: keep the backslash and look at the next character afresh.
                out.append("\\")
                i -= 1
            }
        }
        return out
    }

    private static func octal(_ digits: [Unicode.Scalar]) -> Unicode.Scalar? {
        guard digits.count == 3 else { return nil }
        var value: UInt32 = 0
        for d in digits {
            guard ("0"..."7").contains(d) else { return nil }
            value = value * 8 + (d.value - 0x30)
        }
        return value <= 255 ? Unicode.Scalar(value) : nil
    }
}
