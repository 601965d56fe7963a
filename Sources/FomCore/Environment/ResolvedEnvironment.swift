/// The environment an instance is started with, and where each variable came from.
public struct ResolvedEnvironment: Sendable, Equatable {
    public let variables: [String: String]
    private let sources: [String: EnvironmentSource]
    /// `FIFTYONE_CVAT_*` names that the `.env` file set and fom left out (see
    /// `EnvironmentLayers`), sorted, so the CLI can warn about them.
    public let ignoredFromEnvFile: [String]

    /// Names in byte order (as `LC_ALL=C sort` would list them), sorted once: `env`, `describe`
    /// and drift checks all walk them, and a `.env` may have very many.
    public let sortedNames: [String]

    /// The values of every secret-named variable of every layer, including those that are not
    /// passed on (the CVAT inputs, an ignored `FIFTYONE_CVAT_PASSWORD`): `FOO=$CVAT_PASSWORD`
    /// in an unsynced instance's env holds the password though the instance has no CVAT_PASSWORD.
    public let secrets: SecretValues

    init(
        variables: [String: String], sources: [String: EnvironmentSource], ignoredFromEnvFile: [String],
        secrets: SecretValues
    ) {
        self.variables = variables
        self.sources = sources
        self.ignoredFromEnvFile = ignoredFromEnvFile
        self.secrets = secrets
        sortedNames = Self.byteOrder(Array(variables.keys))
    }

    /// Names in byte order (as `LC_ALL=C sort`). For ASCII names `<` is that order, and the
    /// stdlib's compiled fast path.
    public static func byteOrder(_ names: [String]) -> [String] {
        if names.allSatisfy({ name in name.utf8.allSatisfy { $0 < 0x80 } }) { return names.sorted(by: <) }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The layer that set `name` last, or nil when the instance does not get `name`.
    public func source(of name: String) -> EnvironmentSource? {
        variables[name] == nil ? nil : sources[name]
    }

    /// `KEY=VALUE` lines sorted by key, values in clear: for comparisons and `/proc` checks,
    /// not for the screen (see `displayLines(reveal:)`).
    public var sortedLines: [String] {
        sortedNames.map { "\($0)=\(variables[$0]!)" }
    }

    /// `KEY=VALUE` lines sorted by key with secrets masked unless `reveal`: what `fom env` prints.
    public func displayLines(reveal: Bool) -> [String] {
        sortedNames.map { "\($0)=\(secrets.display(name: $0, value: variables[$0]!, reveal: reveal))" }
    }
}
