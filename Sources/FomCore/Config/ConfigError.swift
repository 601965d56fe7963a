/// supervisor.json is invalid. Holds every problem found, in the order of the file, so one
/// `fom validate` shows them all; `description` is one line per problem.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Never empty.
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        precondition(!diagnostics.isEmpty, "a ConfigError needs at least one diagnostic")
        self.diagnostics = diagnostics
    }

    /// The topmost problem, for callers that show only one.
    public var first: ConfigDiagnostic { diagnostics[0] }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
