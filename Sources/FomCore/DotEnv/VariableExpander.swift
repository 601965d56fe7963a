/// Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?reason}`,
/// `${NAME?reason}`, `${NAME:+alt}`, `${NAME+alt}` and `$$`, with the rules of compose-go's
/// template package. Used for `.env` values and for the `env` values of supervisor.json.
///
/// Behaviour kept from compose-go on purpose, so one text means the same in both tools:
/// - an unset `$NAME` or `${NAME}` becomes the empty string;
/// - a `$` not followed by `$`, `{` or a name start stays a literal `$` (`$1`, `5$`, `$ `);
/// - the text after an operator is expanded before it is known to be needed, so
///   `${A:-${B:?x}}` fails when B is missing even if A is set;
/// - `${` must close on the same line; `${A:-{x}}` ends at the first `}` (only `${` nests).
public enum VariableExpander {
    public static func expand(
        _ text: String, lookup: (String) -> String?
    ) throws(VariableExpansionError) -> String {
        try expand(Array(text.unicodeScalars)[...], lookup: lookup)
    }

    static func expand(
        _ text: ArraySlice<Unicode.Scalar>, lookup: (String) -> String?
    ) throws(VariableExpansionError) -> String {
        var out = String.UnicodeScalarView()
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            guard c == "$", i + 1 < text.endIndex else {
                out.append(c)
                i += 1
                continue
            }
            let next = text[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if DotEnvCharacters.isNameStart(next) {
                var end = i + 2
                while end < text.endIndex, DotEnvCharacters.isNameContinuation(text[end]) { end += 1 }
                out.append(contentsOf: (lookup(DotEnvCharacters.string(text[(i + 1)..<end])) ?? "").unicodeScalars)
                i = end
            } else if next == "{" {
                let (value, end) = try braced(text, dollar: i, lookup: lookup)
                out.append(contentsOf: value.unicodeScalars)
                i = end
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    private enum Operator {
        case defaultWhenUnsetOrEmpty, defaultWhenUnset
        case alternativeWhenSetAndNotEmpty, alternativeWhenSet
        case requiredNotEmpty, required
    }

    /// Expands the `${...}` that starts at `dollar`; returns its value and the index after `}`.
    private static func braced(
        _ text: ArraySlice<Unicode.Scalar>, dollar: Int, lookup: (String) -> String?
    ) throws(VariableExpansionError) -> (String, Int) {
        let invalid = VariableExpansionError.invalidReference(fragment(text, from: dollar))
        var i = dollar + 2
        guard i < text.endIndex, DotEnvCharacters.isNameStart(text[i]) else { throw invalid }
        let nameStart = i
        while i < text.endIndex, DotEnvCharacters.isNameContinuation(text[i]) { i += 1 }
        let name = DotEnvCharacters.string(text[nameStart..<i])
        guard i < text.endIndex else { throw invalid }
        if text[i] == "}" { return (lookup(name) ?? "", i + 1) }

        let colon = text[i] == ":"
        if colon { i += 1 }
        guard i < text.endIndex else { throw invalid }
        let op: Operator
        switch text[i] {
        case "-": op = colon ? .defaultWhenUnsetOrEmpty : .defaultWhenUnset
        case "+": op = colon ? .alternativeWhenSetAndNotEmpty : .alternativeWhenSet
        case "?": op = colon ? .requiredNotEmpty : .required
        default: throw invalid
        }
        i += 1

        // The argument ends at the `}` that balances the opening `${`; only `${` opens a level.
        let argumentStart = i
        var depth = 1
        while true {
            guard i < text.endIndex, text[i] != "\n" else { throw invalid }
            if text[i] == "}" {
                depth -= 1
                if depth == 0 { break }
            } else if text[i] == "$", i + 1 < text.endIndex, text[i + 1] == "{" {
                depth += 1
                i += 1
            }
            i += 1
        }
        let argument = try expand(text[argumentStart..<i], lookup: lookup)
        let value = lookup(name)
        let isSetAndNotEmpty = !(value ?? "").isEmpty
        let result: String
        switch op {
        case .defaultWhenUnsetOrEmpty: result = isSetAndNotEmpty ? value! : argument
        case .defaultWhenUnset: result = value ?? argument
        case .alternativeWhenSetAndNotEmpty: result = isSetAndNotEmpty ? argument : ""
        case .alternativeWhenSet: result = value == nil ? "" : argument
        case .requiredNotEmpty:
            guard isSetAndNotEmpty else { throw .missingRequired(variable: name, reason: argument) }
            result = value!
        case .required:
            guard let value else { throw .missingRequired(variable: name, reason: argument) }
            result = value
        }
        return (result, i + 1)
    }

    /// The reference as the user wrote it, for the error: up to its first `}` or the line's end.
    private static func fragment(_ text: ArraySlice<Unicode.Scalar>, from start: Int) -> String {
        var end = start
        while end < text.endIndex, text[end] != "\n" {
            end += 1
            if text[end - 1] == "}" { break }
        }
        return DotEnvCharacters.string(text[start..<end])
    }
}
