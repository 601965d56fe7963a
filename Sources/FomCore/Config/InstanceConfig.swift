/// One entry of `instances` in supervisor.json, with every default filled in. Values are as the user
/// wrote them (command placeholders and `${VAR}` in `env` are expanded later, at each start), except
/// paths, which are already absolute.
public struct InstanceConfig: Sendable, Equatable {
    public var name: String
    public var kind: InstanceKind
    /// The argv template, placeholders not yet expanded (see `resolvedCommand`).
    public var command: [String]
    /// The interpreter the user named, as written; nil means the default (see `pythonPath`).
    public var python: String?
    public var port: Int?
    public var address: String
    /// Hand the CVAT credentials to this instance as `FIFTYONE_CVAT_*`.
    public var cvatSync: Bool
    /// In the order written; values may hold `${VAR}` references.
    public var env: [(key: String, value: String)]
    /// Absolute.
    public var cwd: String
    public var autostart: Bool
    public var restart: RestartPolicy
    public var maxRestarts: Int
    public var minUptime: Duration
    public var backoff: Backoff
    public var stopSignal: Signal
    public var killTimeout: Duration
    public var ready: ReadyCheck
    public var readyTimeout: Duration
    /// Bytes of RSS for the whole process tree; nil for no limit.
    public var maxMemory: Int?
    public var dependsOn: [String]
    /// The directory of supervisor.json, against which `python` and the program resolve.
    public var configDirectory: String

    public static let keys = [
        "name", "kind", "command", "python", "port", "address", "cvatSync", "env", "cwd", "autostart",
        "restart", "maxRestarts", "minUptime", "backoff", "stopSignal", "killTimeout", "ready",
        "readyTimeout", "maxMemory", "dependsOn",
    ]

    /// An instance with every default of its kind; a process instance still needs a `command`.
    public init(name: String, kind: InstanceKind = .fiftyone, configDirectory: String) {
        self.name = name
        self.kind = kind
        self.command = Self.defaultCommand(for: kind)
        self.python = nil
        self.port = nil
        self.address = "127.0.0.1"
        self.cvatSync = false
        self.env = []
        self.cwd = configDirectory
        self.autostart = true
        self.restart = .always
        self.maxRestarts = 10
        self.minUptime = .seconds(5)
        self.backoff = Backoff()
        self.stopSignal = .term
        self.killTimeout = Self.defaultKillTimeout(for: kind)
        self.ready = Self.defaultReady(for: kind)
        self.readyTimeout = .seconds(60)
        self.maxMemory = nil
        self.dependsOn = []
        self.configDirectory = configDirectory
    }

    /// What Voxel51's own Dockerfile runs; never `fiftyone app launch`, which hides the server.
    public static func defaultCommand(for kind: InstanceKind) -> [String] {
        switch kind {
        case .fiftyone:
            ["{python}", "-m", "fiftyone.server.main", "--port", "{port}", "--address", "{address}"]
        case .process: []
        }
    }

    /// A FiftyOne server takes 2-8 s to shut down cleanly, so it gets longer than a plain process.
    public static func defaultKillTimeout(for kind: InstanceKind) -> Duration {
        switch kind {
        case .fiftyone: .seconds(15)
        case .process: .seconds(10)
        }
    }

    public static func defaultReady(for kind: InstanceKind) -> ReadyCheck {
        switch kind {
        case .fiftyone: .http(path: "/fiftyone")
        case .process: .none
        }
    }

    /// The interpreter for `{python}`: the explicit one (a path with `/` taken relative to the
    /// config directory, a bare name left for PATH lookup), else the project's `.venv`, else `python3`.
    public func pythonPath(pythonExists: (String) -> Bool) -> String {
        if let python {
            return python.contains("/") ? PosixPath.absolute(python, base: configDirectory) : python
        }
        let venv = PosixPath.absolute(".venv/bin/python", base: configDirectory)
        return pythonExists(venv) ? venv : "python3"
    }

    /// The argv to spawn: placeholders expanded, and a relative program path (one with a `/`, such
    /// as `.venv/mongodb/bin/mongod`) made absolute against the config directory, as every relative
    /// path in supervisor.json is. A bare program name is left for PATH lookup.
    public func resolvedCommand(pythonExists: (String) -> Bool) -> [String] {
        var values = ["name": name, "address": address]
        if let port { values["port"] = String(port) }
        if command.contains(where: { CommandTemplate.uses($0, "python") }) {
            values["python"] = pythonPath(pythonExists: pythonExists)
        }
        var argv = command.map { CommandTemplate.expand($0, values) }
        if let program = argv.first, program.contains("/"), !PosixPath.isAbsolute(program) {
            argv[0] = PosixPath.absolute(program, base: configDirectory)
        }
        return argv
    }

    /// The instance's `env` entry for `key`, if it sets one.
    public func envValue(_ key: String) -> String? {
        env.last(where: { $0.key == key })?.value
    }

    public static func == (lhs: InstanceConfig, rhs: InstanceConfig) -> Bool {
        // Written out because tuples (the env entries) are not Equatable.
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.command == rhs.command
            && lhs.python == rhs.python && lhs.port == rhs.port && lhs.address == rhs.address
            && lhs.cvatSync == rhs.cvatSync
            && lhs.env.elementsEqual(rhs.env, by: { $0.key == $1.key && $0.value == $1.value })
            && lhs.cwd == rhs.cwd && lhs.autostart == rhs.autostart && lhs.restart == rhs.restart
            && lhs.maxRestarts == rhs.maxRestarts && lhs.minUptime == rhs.minUptime
            && lhs.backoff == rhs.backoff && lhs.stopSignal == rhs.stopSignal
            && lhs.killTimeout == rhs.killTimeout && lhs.ready == rhs.ready
            && lhs.readyTimeout == rhs.readyTimeout && lhs.maxMemory == rhs.maxMemory
            && lhs.dependsOn == rhs.dependsOn && lhs.configDirectory == rhs.configDirectory
    }
}
