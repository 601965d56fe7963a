/// Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?reason}`,
/// `${NAME?reason}`, `${NAME:+alt}`, `${NAME+alt}` and `$$`, with the rules of compose-go's
/// template package. Used for `.env` values and for the `env` values of supervisor.json.
///
/// compose-go's rules as of v2.10.1, so one text means the same in both tools:
/// - an unset `$NAME` or `${NAME}` becomes the empty string;
/// - a `$` not followed by `$`, `{` or a name start stays a literal `$` (`$1`, `5$`, `$ `);
/// - only the branch that is used is expanded, so `${A:-${B:?x}}` with A set is A's value;
/// - `${` must close on the same line; every `{` inside counts, so `${A:-{"b":1}}` has the default
///   `{"b":1}` (compose-go since v2.0.0-rc.8; before, the reference ended at the first `}`).
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

        // compose-go's pattern takes the reference up to the last `}` on the line, then cuts it at
        // the brace that balances `${`, counting every `{` (its commit 5ede864, v2.0.0-rc.8), so
        // `${A:-{"b":1}}` has the default `{"b":1}`. What follows the cut is ordinary text again.
        let argumentStart = i
        var lastBrace: Int?
        while i < text.endIndex, text[i] != "\n" {
            if text[i] == "}" { lastBrace = i }
            i += 1
        }
        guard let lastBrace else { throw invalid }
        let close = balancingBrace(text, dollar: dollar, limit: lastBrace) ?? lastBrace
        let argumentText = text[argumentStart..<close]
        // Only the branch that is used is expanded (compose-go v2.10.1): `${A:-${B:?x}}` with A
        // set is A, and `${A:+${B:?x}}` with A unset is empty.
        let value = lookup(name)
        let isSetAndNotEmpty = !(value ?? "").isEmpty
        let result: String
        switch op {
        case .defaultWhenUnsetOrEmpty:
            result = isSetAndNotEmpty ? value! : try expand(argumentText, lookup: lookup)
        case .defaultWhenUnset:
            if let value { result = value } else { result = try expand(argumentText, lookup: lookup) }
        case .alternativeWhenSetAndNotEmpty:
            result = isSetAndNotEmpty ? try expand(argumentText, lookup: lookup) : ""
        case .alternativeWhenSet:
            result = value == nil ? "" : try expand(argumentText, lookup: lookup)
        case .requiredNotEmpty:
            guard isSetAndNotEmpty else {
                throw .missingRequired(variable: name, reason: try reason(argumentText, lookup: lookup))
            }
            result = value!
        case .required:
            guard let value else {
                throw .missingRequired(variable: name, reason: try reason(argumentText, lookup: lookup))
            }
            result = value
        }
        return (result, close + 1)
    }

    /// compose-go's `getFirstBraceClosingIndex`: the `}` at which the braces opened since `dollar`
    /// are all closed, or nil when they never are up to `limit`. Like compose-go it counts every
    /// `{` and skips the character after it, so in `${A:-{}}` the first `}` is not counted.
    private static func balancingBrace(
        _ text: ArraySlice<Unicode.Scalar>, dollar: Int, limit: Int
    ) -> Int? {
        var open = 0
        var i = dollar
        while i <= limit {
            if text[i] == "}" {
                open -= 1
                if open == 0 { return i }
            }
            if text[i] == "{" {
                open += 1
                i += 1
            }
            i += 1
        }
        return nil
    }

    /// The reason of `${NAME:?reason}`, expanded for the error message. A secret's value is
    /// never put into it: errors reach fom.log and every command's output.
    private static func reason(
        _ text: ArraySlice<Unicode.Scalar>, lookup: (String) -> String?
    ) throws(VariableExpansionError) -> String {
        try expand(
            text, lookup: { name in Redaction.isSecret(name) ? lookup(name).map { _ in Redaction.mask } : lookup(name) }
        )
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
