/// What `fom reload` will do, from the instances the daemon runs and the ones the files give now:
/// added, changed (with the keys that changed, never a value), removed and unchanged. Pure: the
/// environment part is asked of the caller, which knows what each process was started with.
public struct ReloadPlan: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var name: String
        /// Config keys (`port`, `env.FOO`) and environment variables (`environment.FIFTYONE_CVAT_PASSWORD`)
        /// that differ; names only.
        public var keys: [String]
        /// False when only keys that do not touch the running process changed (`autostart`,
        /// `dependsOn`): those are applied in place.
        public var restarts: Bool

        public init(name: String, keys: [String], restarts: Bool) {
            self.name = name
            self.keys = keys
            self.restarts = restarts
        }
    }

    public var added: [String] = []
    public var changed: [Change] = []
    public var removed: [String] = []
    public var unchanged: [String] = []

    /// Keys whose change needs no restart of a running instance: `autostart` matters only at
    /// the daemon's first start, `dependsOn` only for the order of later starts and stops.
    public static let inPlaceKeys: Set<String> = ["autostart", "dependsOn"]

    public init(added: [String] = [], changed: [Change] = [], removed: [String] = [], unchanged: [String] = []) {
        self.added = added
        self.changed = changed
        self.removed = removed
        self.unchanged = unchanged
    }

    /// `environmentDrift(new)` names the variables a start with the new definition would set
    /// differently from what the running process got (empty when it does not run).
    public init(
        running: [InstanceConfig], new: [InstanceConfig], environmentDrift: (InstanceConfig) -> [String]
    ) {
        var old: [String: InstanceConfig] = [:]
        for instance in running { old[instance.name] = instance }
        let newNames = Set(new.map(\.name))
        for instance in new {
            guard let before = old[instance.name] else {
                added.append(instance.name)
                continue
            }
            var keys = Self.changedKeys(before, instance)
            // A changed definition restarts anyway; otherwise the files may still change what a
            // start would hand the process (a new CVAT_PASSWORD in .env).
            if keys.isEmpty { keys = environmentDrift(instance).map { "environment.\($0)" } }
            if keys.isEmpty {
                unchanged.append(instance.name)
            } else {
                let restarts = keys.contains { !Self.inPlaceKeys.contains($0) }
                changed.append(Change(name: instance.name, keys: keys, restarts: restarts))
            }
        }
        removed = running.map(\.name).filter { !newNames.contains($0) }
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// The keys of supervisor.json that differ between two definitions of one instance; `env`
    /// entries by name (`env.FOO`), so that no value is ever named.
    public static func changedKeys(_ a: InstanceConfig, _ b: InstanceConfig) -> [String] {
        var keys: [String] = []
        func check<T: Equatable>(_ key: String, _ x: T, _ y: T) { if x != y { keys.append(key) } }
        check("kind", a.kind, b.kind)
        check("command", a.command, b.command)
        check("python", a.python, b.python)
        check("port", a.port, b.port)
        check("address", a.address, b.address)
        check("cvatSync", a.cvatSync, b.cvatSync)
        var before: [String: String] = [:]
        var after: [String: String] = [:]
        for (k, v) in a.env { before[k] = v }
        for (k, v) in b.env { after[k] = v }
        let envKeys = Set(before.keys).union(after.keys).sorted()
        for key in envKeys where before[key] != after[key] { keys.append("env.\(key)") }
        if envKeys.allSatisfy({ before[$0] == after[$0] }) && !a.env.map(\.key).elementsEqual(b.env.map(\.key)) {
            // Same values, another order: `${VAR}` references may now resolve differently.
            keys.append("env")
        }
        check("cwd", a.cwd, b.cwd)
        check("autostart", a.autostart, b.autostart)
        check("restart", a.restart, b.restart)
        check("maxRestarts", a.maxRestarts, b.maxRestarts)
        check("minUptime", a.minUptime, b.minUptime)
        check("backoff", a.backoff, b.backoff)
        check("stopSignal", a.stopSignal, b.stopSignal)
        check("killTimeout", a.killTimeout, b.killTimeout)
        check("ready", a.ready, b.ready)
        check("readyTimeout", a.readyTimeout, b.readyTimeout)
        check("maxMemory", a.maxMemory, b.maxMemory)
        check("dependsOn", a.dependsOn, b.dependsOn)
        check("configDirectory", a.configDirectory, b.configDirectory)
        return keys
    }
}
