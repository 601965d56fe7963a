import FomCore

/// The hand-written argument scanner: flags and options are declared per command, anything
/// else is a usage error with a suggestion. `--` ends the options (for `exec`).
struct ParsedArguments: Sendable {
    var positionals: [String] = []
    var flags: Set<String> = []
    /// The last value of each option.
    var options: [String: String] = [:]
    /// Every value of each option, in order, for options that may be repeated (`--env K=V ...`).
    var optionValues: [String: [String]] = [:]
    /// Everything after `--`.
    var passthrough: [String]?

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func values(_ option: String) -> [String] { optionValues[option] ?? [] }
    /// Commands that work through a running daemon even when supervisor.json no longer parses.
    var allowsBrokenConfig = false
    /// One-line notes for stderr about accepted habits that change nothing (`--update-env`).
    var notes: [String] = []
}

struct ArgumentSpec: Sendable {
    /// Flags without a value, by their long name (`--json`); short aliases map to long names.
    var flags: [String] = []
    /// Options that take a value (`--config PATH`, `-n 50`).
    var options: [String] = []
    var aliases: [String: String] = [:]
    var allowsPassthrough = false
    /// An unknown flag of a command that takes `--` is taken for one of the command's own flags
    /// (`fom exec ID python -c ...`); commands with flags of their own (`add`) turn it off.
    var hintsPassthroughForUnknownFlags = true

    /// Options every command takes.
    static let common = ArgumentSpec(
        flags: ["--help"], options: ["--config", "--env", "--timeout"], aliases: ["-h": "--help"])

    func merged(with other: ArgumentSpec) -> ArgumentSpec {
        ArgumentSpec(
            flags: flags + other.flags, options: options + other.options,
            aliases: aliases.merging(other.aliases) { a, _ in a },
            allowsPassthrough: allowsPassthrough || other.allowsPassthrough,
            hintsPassthroughForUnknownFlags: hintsPassthroughForUnknownFlags && other.hintsPassthroughForUnknownFlags)
    }

    func scan(_ arguments: [String], command: String) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments()
        var i = 0
        while i < arguments.count {
            var word = arguments[i]
            i += 1
            if word == "--" {
                guard allowsPassthrough else { throw UsageError("fom \(command): unexpected '--'") }
                result.passthrough = Array(arguments[i...])
                return result
            }
            guard word.hasPrefix("-"), word != "-" else {
                result.positionals.append(word)
                continue
            }
            var inlineValue: String?
            if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                inlineValue = String(word[word.index(after: eq)...])
                word = String(word[..<eq])
            }
            let typed = word
            word = aliases[word] ?? word
            if flags.contains(word) {
                if inlineValue != nil { throw UsageError("fom \(command): \(typed) takes no value") }
                result.flags.insert(word)
            } else if options.contains(word) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard i < arguments.count else { throw UsageError("fom \(command): \(typed) needs a value") }
                    value = arguments[i]
                    i += 1
                }
                result.options[word] = value
                result.optionValues[word, default: []].append(value)
            } else if word.count > 1, word.dropFirst().allSatisfy(\.isNumber) {
                // `-50` is not a flag someone meant; say how to ask for lines.
                throw UsageError("fom \(command): unknown flag \(word); did you mean \"-n \(word.dropFirst())\"?")
            } else if word == "--update-env" {
                // A pm2 habit that scripts carry: harmless here, so accepted with a word.
                if inlineValue != nil { throw UsageError("fom \(command): \(typed) takes no value") }
                result.notes.append(
                    "fom \(command): note: --update-env changes nothing: fom computes the environment afresh from the files at every start and restart"
                )
            } else if allowsPassthrough && hintsPassthroughForUnknownFlags {
                throw UsageError(
                    "fom \(command): the command and its flags go after '--': fom \(command) ID -- COMMAND [ARG...]")
            } else {
                let known = flags + options + Array(aliases.keys)
                var message = "fom \(command): unknown flag \(word)"
                if let hint = NameSuggestion.closest(to: word, in: known) { message += "; did you mean \"\(hint)\"?" }
                message += " (see 'fom help \(command)')"
                throw UsageError(message)
            }
        }
        return result
    }
}
