/// The scanner behind `DotEnv.parse`: one pass over the text's scalars, counting lines so that
/// every error names the line where its statement starts.
struct DotEnvParser {
    private let text: [Unicode.Scalar]
    private let file: String
    private var i = 0
    private var line = 1
    private var entries: [DotEnvEntry] = []
    private var indexOfKey: [String: Int] = [:]
    private var values: [String: String] = [:]

    init(text: String, file: String) {
        var scalars = Array(text.unicodeScalars)
        // Editors on Windows add a byte order mark; compose-go skips it too.
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.text = scalars
        self.file = file
    }

    mutating func parse(lookup: (String) -> String?) throws(DotEnvError) -> [DotEnvEntry] {
        while skipToStatement() {
            try statement(lookup: lookup)
        }
        return entries
    }

    /// Skips blank lines, indentation and comment lines; false at the end of the text.
    private mutating func skipToStatement() -> Bool {
        while i < text.count {
            let c = text[i]
            if c == "\n" {
                line += 1
                i += 1
            } else if DotEnvCharacters.isWhitespace(c) {
                i += 1
            } else if c == "#" {
                while i < text.count, text[i] != "\n" { i += 1 }
            } else {
                return true
            }
        }
        return false
    }

    private mutating func statement(lookup: (String) -> String?) throws(DotEnvError) {
        let startLine = line
        // `export NAME=...` is a shell habit; `exportNAME=...` and `export.NAME=...` are names.
        if hasPrefix("export"), i + 6 < text.count, DotEnvCharacters.isBlank(text[i + 6]) {
            i += 6
            skipBlanks()
        }

        let keyStart = i
        var terminator: Unicode.Scalar?
        while i < text.count {
            let c = text[i]
            if c == "=" || c == ":" || c == "\n" {
                terminator = c
                break
            }
            guard DotEnvCharacters.isBlank(c) || DotEnvCharacters.isKeyCharacter(c) else {
                if let secret = secretName(from: keyStart) {
                    throw error(startLine, "\(secret): unexpected character after the name (\(Self.notShown(secret)))")
                }
                throw error(
                    startLine,
                    "unexpected character \(String(c).debugDescription) in variable name \(restOfLine(from: keyStart).debugDescription)"
                )
            }
            i += 1
        }
        var keyEnd = i
        while keyEnd > keyStart, DotEnvCharacters.isWhitespace(text[keyEnd - 1]) { keyEnd -= 1 }
        let key = DotEnvCharacters.string(text[keyStart..<keyEnd])
        let inherited = terminator == nil || terminator == "\n"

        if key.unicodeScalars.contains(where: DotEnvCharacters.isWhitespace) {
            if let secret = secretName(from: keyStart) {
                throw error(
                    startLine,
                    inherited
                        ? "\(secret): expected KEY=VALUE, found a blank after the name (\(Self.notShown(secret)))"
                        : "\(secret): the variable name contains whitespace (\(Self.notShown(secret)))")
            }
            throw inherited
                ? error(startLine, "expected KEY=VALUE, found \(key.debugDescription)")
                : error(startLine, "variable name \(key.debugDescription) contains whitespace")
        }
        if inherited {
            // A bare name takes its value from the environment, and is not set when absent there.
            // An empty one is what `export ` alone leaves: compose-go ignores it, so do we.
            if !key.isEmpty, let value = lookup(key) { store(key, value, line: startLine) }
            return
        }
        guard !key.isEmpty else {
            throw error(startLine, "missing variable name before \"\(terminator!)\"")
        }

        i += 1
        skipBlanks()
        let value: String
        if i < text.count, text[i] == "\"" || text[i] == "'" {
            value = try quotedValue(key: key, line: startLine, lookup: lookup)
        } else {
            value = try unquotedValue(key: key, line: startLine, lookup: lookup)
        }
        store(key, value, line: startLine)
    }

    /// To the end of the line; an inline comment needs a space before its `#` (`a#b` is a value),
    /// then trailing blanks go. A tab before `#` does not start a comment, as in compose-go.
    private mutating func unquotedValue(
        key: String, line: Int, lookup: (String) -> String?
    ) throws(DotEnvError) -> String {
        let start = i
        while i < text.count, text[i] != "\n" { i += 1 }
        var end = start
        while end < i, !(text[end] == " " && end + 1 < i && text[end + 1] == "#") { end += 1 }
        while end > start, DotEnvCharacters.isWhitespace(text[end - 1]) { end -= 1 }
        return try expand(text[start..<end], key: key, line: line, lookup: lookup)
    }

    /// Single quotes are literal; double quotes take escapes and `$` expansion. Both may span
    /// lines. In both, a backslash before the quote character keeps the quote and drops the
    /// backslash; any other backslash is kept for the escape pass (double quotes) or as is.
    private mutating func quotedValue(
        key: String, line startLine: Int, lookup: (String) -> String?
    ) throws(DotEnvError) -> String {
        let quote = text[i]
        var chars: [Unicode.Scalar] = []
        var escaped = false
        var j = i + 1
        while true {
            guard j < text.count else {
                let kind = quote == "\"" ? "double" : "single"
                throw error(startLine, "unterminated \(kind)-quoted value for \(key)")
            }
            let c = text[j]
            if c == "\n" { line += 1 }
            if escaped {
                escaped = false
                if c != quote { chars.append("\\") }
                chars.append(c)
            } else if c == "\\" {
                escaped = true
            } else if c == quote {
                break
            } else {
                chars.append(c)
            }
            j += 1
        }
        i = j + 1
        skipBlanks()
        if i < text.count, text[i] != "\n", text[i] != "#" {
            if Redaction.isSecret(key) {
                throw error(line, "\(key): unexpected text after the closing quote (\(Self.notShown(key)))")
            }
            if let secret = secretName(onLineOf: i) {
                throw error(line, "unexpected text after the closing quote of \(key) (\(Self.notShown(secret)))")
            }
            throw error(
                line, "unexpected text after the closing quote of \(key): \(restOfLine(from: i).debugDescription)")
        }
        if quote == "'" { return DotEnvCharacters.string(chars) }
        return try expand(DoubleQuoteEscapes.apply(chars)[...], key: key, line: startLine, lookup: lookup)
    }

    private func expand(
        _ raw: ArraySlice<Unicode.Scalar>, key: String, line: Int, lookup: (String) -> String?
    ) throws(DotEnvError) -> String {
        let earlier = values
        do {
            return try VariableExpander.expand(raw, lookup: { name in lookup(name) ?? earlier[name] })
        } catch {
            // The error quotes the value as written; a secret's value, or a line of a multi-line
            // value that defines a secret, is not shown.
            let lines = raw.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            let hidden = Redaction.isSecret(key) ? key : lines.lazy.compactMap { Self.leadingSecretName($0) }.first
            guard let hidden else { throw self.error(line, "\(key): \(error)") }
            throw self.error(line, "\(key): \(error.withoutValueText) (\(Self.notShown(hidden)))")
        }
    }

    /// Why an error does not quote the line: the words every such message ends with.
    static func notShown(_ secret: String) -> String {
        "the text is not shown: \(secret) is a secret"
    }

    /// The name a statement starting at `start` defines, when it names a secret (see `Redaction`):
    /// errors about that line then name the line and the key, never any of its text.
    private func secretName(from start: Int) -> String? {
        Self.leadingSecretName(text[start...])
    }

    /// The same for the line that holds `index` (a quoted value may end on a secret's line).
    private func secretName(onLineOf index: Int) -> String? {
        var start = index
        while start > 0, text[start - 1] != "\n" { start -= 1 }
        return Self.leadingSecretName(text[start...])
    }

    /// The leading name of `line` (after blanks and `export `) when it is a secret's.
    static func leadingSecretName<C: Collection>(_ line: C) -> String? where C.Element == Unicode.Scalar {
        var rest = line.drop(while: DotEnvCharacters.isBlank)
        if rest.starts(with: "export".unicodeScalars) {
            let after = rest.dropFirst(6)
            if let first = after.first, DotEnvCharacters.isBlank(first) {
                rest = after.drop(while: DotEnvCharacters.isBlank)
            }
        }
        let name = DotEnvCharacters.string(rest.prefix(while: DotEnvCharacters.isKeyCharacter))
        return Redaction.isSecret(name) ? name : nil
    }

    /// Later definitions win; the entry keeps the place of the first one.
    private mutating func store(_ key: String, _ value: String, line: Int) {
        values[key] = value
        let entry = DotEnvEntry(key: key, value: value, line: line)
        if let index = indexOfKey[key] {
            entries[index] = entry
        } else {
            indexOfKey[key] = entries.count
            entries.append(entry)
        }
    }

    private mutating func skipBlanks() {
        while i < text.count, DotEnvCharacters.isBlank(text[i]) { i += 1 }
    }

    private func hasPrefix(_ word: String) -> Bool {
        var j = i
        for c in word.unicodeScalars {
            guard j < text.count, text[j] == c else { return false }
            j += 1
        }
        return true
    }

    private func restOfLine(from start: Int) -> String {
        var end = start
        while end < text.count, text[end] != "\n" { end += 1 }
        while end > start, DotEnvCharacters.isWhitespace(text[end - 1]) { end -= 1 }
        return DotEnvCharacters.string(text[start..<end])
    }

    /// Every error goes through here, and none shows a secret's value set above it: a message
    /// quotes text as written (`A=${NOPE:?the pw is hunter2}`, `A="x" hunter2`), which may be a
    /// copy of one.
    private func error(_ line: Int, _ message: String) -> DotEnvError {
        let secrets = SecretValues(variables: values)
        return DotEnvError(file: file, line: line, message: secrets.mask(message))
    }
}
