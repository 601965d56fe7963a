import FomCore

/// The answer to `env`: what the next start of an instance would get, what its running process
/// was started with and what it has now. Secrets are masked by the daemon, by one rule
/// (`SecretValues`: a secret's name, or a value holding a secret's value), unless the request
/// asked to reveal them (`env --reveal`, `exec`, `doctor`): the only answers that carry a secret
/// in cleartext, so no client has to know what is secret. `drift` names the variables that
/// differ, compared by the daemon on the cleartext values.
public struct EnvAnswer: Sendable, Equatable {
    public var instance: InstanceInfo
    public var next: [String: String]?
    /// Why the next start's environment cannot be computed (a missing CVAT variable, say).
    public var nextError: String?
    /// The environment the running process was started with; nil when it does not run.
    public var spawned: [String: String]?
    /// The environment the running process has now (`/proc/PID/environ`, which a wrapper may have
    /// changed on its way); nil when it does not run or that cannot be read.
    public var current: [String: String]?
    public var drift: [String]
    public var configDigest: String
    /// The env file the daemon reads.
    public var envFile: String
    public var revealed: Bool

    public init(
        instance: InstanceInfo, next: [String: String]?, nextError: String?, spawned: [String: String]?,
        current: [String: String]? = nil, drift: [String], configDigest: String, envFile: String, revealed: Bool
    ) {
        self.current = current
        self.envFile = envFile
        self.instance = instance
        self.next = next
        self.nextError = nextError
        self.spawned = spawned
        self.drift = drift
        self.configDigest = configDigest
        self.revealed = revealed
    }

    public var json: JSONValue {
        Response.ok([
            ("instance", instance.json),
            ("next", next.map(Self.object) ?? .null),
            ("nextError", nextError.map { .string($0) } ?? .null),
            ("spawned", spawned.map(Self.object) ?? .null),
            ("current", current.map(Self.object) ?? .null),
            ("drift", .array(drift.map { .string($0) })),
            ("configDigest", .string(configDigest)),
            ("envFile", .string(envFile)),
            ("revealed", .bool(revealed)),
        ])
    }

    public init?(json v: JSONValue) {
        guard v["ok"]?.boolValue == true, let instance = v["instance"].flatMap(InstanceInfo.init(json:)) else {
            return nil
        }
        self.init(
            instance: instance, next: v["next"].flatMap(Self.dictionary), nextError: v["nextError"]?.stringValue,
            spawned: v["spawned"].flatMap(Self.dictionary), current: v["current"].flatMap(Self.dictionary),
            drift: v["drift"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            configDigest: v["configDigest"]?.stringValue ?? "", envFile: v["envFile"]?.stringValue ?? "",
            revealed: v["revealed"]?.boolValue ?? false)
    }

    static func object(_ variables: [String: String]) -> JSONValue {
        var o = JSONObject()
        for name in variables.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            o[name] = .string(variables[name]!)
        }
        return .object(o)
    }

    public static func dictionary(_ value: JSONValue) -> [String: String]? {
        guard let object = value.objectValue else { return nil }
        return Dictionary(
            object.members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }, uniquingKeysWith: { $1 })
    }
}

/// The answer to `describe`: the instance, where each variable of its next start comes from
/// (names and sources only, never a value), its env file and log files.
public struct DescribeAnswer: Sendable, Equatable {
    public var instance: InstanceInfo
    /// Variable name -> the layer it comes from.
    public var sources: [String: String]
    public var nextError: String?
    public var envFile: String
    public var logs: [String]
    public var configDigest: String
    /// The settings the daemon runs, as describe's rows (`ready check`, `restart`, ...), in order:
    /// describe works from them when supervisor.json no longer parses.
    public var settings: [(key: String, value: String)]
    /// Set while the daemon cannot save its state file (a full disk): what fails.
    public var stateWarning: String?

    public static func == (a: DescribeAnswer, b: DescribeAnswer) -> Bool {
        a.instance == b.instance && a.sources == b.sources && a.nextError == b.nextError && a.envFile == b.envFile
            && a.logs == b.logs && a.configDigest == b.configDigest
            && a.stateWarning == b.stateWarning
            && a.settings.map { "\($0.key)=\($0.value)" } == b.settings.map { "\($0.key)=\($0.value)" }
    }

    public init(
        instance: InstanceInfo, sources: [String: String], nextError: String?, envFile: String, logs: [String],
        configDigest: String, settings: [(key: String, value: String)] = [], stateWarning: String? = nil
    ) {
        self.settings = settings
        self.stateWarning = stateWarning
        self.instance = instance
        self.sources = sources
        self.nextError = nextError
        self.envFile = envFile
        self.logs = logs
        self.configDigest = configDigest
    }

    public var json: JSONValue {
        Response.ok([
            ("instance", instance.json),
            ("sources", EnvAnswer.object(sources)),
            ("nextError", nextError.map { .string($0) } ?? .null),
            ("envFile", .string(envFile)),
            ("logs", .array(logs.map { .string($0) })),
            ("configDigest", .string(configDigest)),
            ("settings", .object(JSONObject(settings.map { (key: $0.key, value: JSONValue.string($0.value)) }))),
            ("stateWarning", stateWarning.map { .string($0) } ?? .null),
        ])
    }

    public init?(json v: JSONValue) {
        guard v["ok"]?.boolValue == true, let instance = v["instance"].flatMap(InstanceInfo.init(json:)) else {
            return nil
        }
        self.init(
            instance: instance, sources: v["sources"].flatMap(EnvAnswer.dictionary) ?? [:],
            nextError: v["nextError"]?.stringValue, envFile: v["envFile"]?.stringValue ?? "",
            logs: v["logs"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            configDigest: v["configDigest"]?.stringValue ?? "",
            settings: (v["settings"]?.objectValue ?? JSONObject()).members.map { ($0.key, $0.value.stringValue ?? "") },
            stateWarning: v["stateWarning"]?.stringValue)
    }
}
