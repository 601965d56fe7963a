/// The character classes of compose-go's dotenv parser, kept in one place so the parser and the
/// expander cannot drift apart.
enum DotEnvCharacters {
    /// compose-go's `isSpace`: blanks that are not a line break. They separate tokens on one line.
    static func isBlank(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: true
        default: false
        }
    }

    /// Go's `unicode.IsSpace` is the Unicode White_Space property; it skips blank lines and trims.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace
    }

    /// compose-go accepts letters and digits of any script plus `_ . - [ ]` in a name, so that
    /// keys such as `a.b`, `a[1]` and `árvíztűrő` work as they do with docker compose.
    static func isKeyCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "_", ".", "-", "[", "]": return true
        default: break
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// A name that `$NAME` and `${NAME}` can refer to: ASCII `[A-Za-z_][A-Za-z0-9_]*`, as in
    /// compose-go's template package (narrower than what a key may contain).
    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "_": true
        default: false
        }
    }

    static func isNameContinuation(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || ("0"..."9").contains(c)
    }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}
