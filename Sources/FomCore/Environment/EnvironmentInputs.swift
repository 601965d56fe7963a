/// Everything the environment of one instance is computed from, gathered by the caller so that
/// `EnvironmentLayers.build` stays a pure function.
public struct EnvironmentInputs: Sendable {
    /// The supervisor's own environment (layer 1, before stripping).
    public var supervisorEnvironment: [String: String]
    /// The parsed `.env` file (layer 2), in file order.
    public var dotenv: [DotEnvEntry]
    /// The `.env` file's path, for `source(of:)` and for error messages.
    public var envFilePath: String
    /// Layer 3 applies to `kind: fiftyone` instances only.
    public var isFiftyOne: Bool
    public var port: Int?
    public var address: String
    /// The instance's `env` in file order; values may use `${VAR}` (see `EnvironmentLayers`).
    public var instanceEnv: [(String, String)]
    public var cvatSync: Bool
    public var name: String
    public var id: Int

    public init(
        supervisorEnvironment: [String: String],
        dotenv: [DotEnvEntry] = [],
        envFilePath: String = ".env",
        isFiftyOne: Bool = true,
        port: Int? = nil,
        address: String = "127.0.0.1",
        instanceEnv: [(String, String)] = [],
        cvatSync: Bool = false,
        name: String,
        id: Int
    ) {
        self.supervisorEnvironment = supervisorEnvironment
        self.dotenv = dotenv
        self.envFilePath = envFilePath
        self.isFiftyOne = isFiftyOne
        self.port = port
        self.address = address
        self.instanceEnv = instanceEnv
        self.cvatSync = cvatSync
        self.name = name
        self.id = id
    }
}
