/// supervisor.json, validated, with every default filled in and every path absolute.
public struct SupervisorConfig: Sendable, Equatable {
    public static let fileName = "supervisor.json"
    public static let keys = ["envFile", "logs", "instances"]

    /// The file, absolute.
    public var path: String
    /// Its directory: the base of every relative path in it.
    public var directory: String
    /// Absolute; default `<directory>/.env`.
    public var envFile: String
    public var logs: LogsConfig
    public var instances: [InstanceConfig]

    /// The configuration of an empty file, `{"instances": []}`. `runtimeDirectory` is `$FOM_HOME`
    /// when set (logs then default to `$FOM_HOME/logs`), else `<directory>/.fom`.
    public init(path: String, runtimeDirectory: String? = nil) {
        let directory = PosixPath.directory(of: path)
        self.path = PosixPath.normalized(path)
        self.directory = directory
        self.envFile = PosixPath.absolute(".env", base: directory)
        let runtime = PosixPath.absolute(runtimeDirectory ?? ".fom", base: directory)
        self.logs = LogsConfig(dir: PosixPath.absolute("logs", base: runtime))
        self.instances = []
    }

    /// Parses and validates the text of supervisor.json. `path` should be absolute; error messages
    /// show it as given. Throws every problem found, sorted by position.
    public static func parse(text: String, path: String, runtimeDirectory: String? = nil) throws(ConfigError)
        -> SupervisorConfig
    {
        let root: JSONNode
        do {
            root = try JSONReader.parse(text)
        } catch {
            let diagnostic = ConfigDiagnostic(file: path, position: error.position, path: "", message: error.message)
            throw ConfigError([diagnostic])
        }
        var loader = ConfigLoader(file: path, config: SupervisorConfig(path: path, runtimeDirectory: runtimeDirectory))
        let config = loader.load(root)
        if let error = loader.error { throw error }
        return config
    }

    public func instance(named name: String) -> InstanceConfig? {
        instances.first(where: { $0.name == name })
    }

    /// The env file that `--env NAME` selects: `.env.NAME` beside supervisor.json; nil keeps `envFile`.
    public func envFile(selecting name: String?) -> String {
        guard let name else { return envFile }
        return PosixPath.absolute(".env.\(name)", base: directory)
    }

    /// Dependencies before their dependents, otherwise in file order.
    public var startOrder: [InstanceConfig] { DependencyOrder.startOrder(instances) }

    /// Dependents before their dependencies: the reverse of `startOrder`.
    public var stopOrder: [InstanceConfig] { startOrder.reversed() }
}
