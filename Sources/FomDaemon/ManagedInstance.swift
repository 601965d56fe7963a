import FomCore
import FomProtocol
import SystemKit

/// One instance as the daemon holds it: its config, its pure state machine, and the resources
/// of its current run (pipes, ready probe, leftover processes being waited for).
final class ManagedInstance {
    let id: Int
    var config: InstanceConfig
    var machine: InstanceMachine
    /// The user's last word: up or down. Kept across daemon restarts in the state file.
    var wantedUp: Bool
    let marker: String
    var out: LogFile
    var err: LogFile
    var stdoutFD: Int32 = -1
    var stderrFD: Int32 = -1
    /// The spools the pipes are spliced into (nil: the stream is read without one).
    var outSpool: StreamSpool?
    var errSpool: StreamSpool?
    var probe: ReadyProbe?
    /// pid -> pidfd of processes still alive after the main process ended.
    var leftovers: [Int32: Int32] = [:]
    /// Start time (clock ticks since boot) of the main process, for the state file.
    var startTime: UInt64 = 0
    var lastCommand: [String] = []
    /// What the current run was started with: drift is measured against this, not against
    /// /proc, which a wrapper (a pyenv shim, a shell) may have changed on its way. Kept as its
    /// difference from the daemon's own environment (one dictionary every instance shares):
    /// most of an instance's environment is inherited, and a full copy each cost about 4 KiB an
    /// instance, 4 MiB with 1,000 of them.
    var spawnedEnvironment: [String: String] {
        get {
            var environment = spawnedBase
            for name in spawnedRemoved { environment[name] = nil }
            for (name, value) in spawnedChanged { environment[name] = value }
            return environment
        }
        set { setSpawned(newValue, base: spawnedBase) }
    }
    private var spawnedBase: [String: String] = [:]
    private var spawnedChanged: [String: String] = [:]
    private var spawnedRemoved: [String] = []

    /// Records the environment of a new run against `base` (the daemon's own environment).
    func setSpawned(_ environment: [String: String], base: [String: String]) {
        spawnedBase = base
        spawnedChanged = environment.filter { base[$0.key] != $0.value }
        spawnedRemoved = base.keys.filter { environment[$0] == nil }
    }
    /// The secret values the current run was started with (`ResolvedEnvironment.secrets`): the
    /// env answer masks by them too, so a password changed in `.env` since the start is still
    /// hidden where the process's environment holds the old one under another name.
    var spawnedSecrets = SecretValues()
    /// A memory check of the current run, past minUptime, found it under `maxMemory`: going over
    /// later is a stable run that grew, not a start that fails this way.
    var memoryWasUnderLimit = false
    var history: [String] = []
    /// Why a waiting instance does not start yet ("waiting for mongodb").
    var waitingFor: String?
    /// Descendants of the main process seen when it was told to stop (pid -> start time): those
    /// that left the marker behind (`env -i`) are still stopped with it.
    var descendantsAtStop: [Int32: UInt64] = [:]
    /// The current (or last) run was started by this daemon process, so all it leaves lives in
    /// the daemon's tree; false for a run adopted after a daemon crash.
    var runIsDaemonChild = false
    /// Set while a start waits for descriptors to come back (the daemon ran out of them).
    var descriptorRetryAt: Instant?
    var startedWallMs: Int64 = 0
    var onlineWallMs: Int64 = 0

    init(id: Int, config: InstanceConfig, logs: LogsConfig, logDirectory: Directory, marker: String, wantedUp: Bool) {
        self.id = id
        self.config = config
        self.marker = marker
        self.wantedUp = wantedUp
        let readyTimeout: Duration? = config.ready == .none ? nil : config.readyTimeout
        machine = InstanceMachine(
            policy: RestartRules(config), stopSignal: config.stopSignal,
            killTimeout: config.killTimeout, readyTimeout: readyTimeout)
        out = LogFile(
            directory: logDirectory, name: "\(config.name).out.log", maxSize: logs.maxSize, keep: logs.keep,
            timestamps: logs.timestamps)
        err = LogFile(
            directory: logDirectory, name: "\(config.name).err.log", maxSize: logs.maxSize, keep: logs.keep,
            timestamps: logs.timestamps)
    }

    var name: String { config.name }

    /// Whether no process of the instance can be running.
    var isAtRest: Bool { !machine.status.hasProcess && leftovers.isEmpty }

    func info(now: Instant, detailed: Bool) -> InstanceInfo {
        // Uptime counts from online only: a count from the spawn would jump back to 0 at ready.
        var uptime: Int?
        if case .online(_, let since) = machine.phase { uptime = Int((now - since).milliseconds) }
        var nextTry: Int?
        if case .backoff(let until) = machine.phase {
            nextTry = Int(Clock.wallMilliseconds() + (until - now).milliseconds)
        }
        var reason = machine.erroredReason
        if case .waiting = machine.phase { reason = waitingFor }
        // Shown after the name ("annotate: errored: ..."), so a reason that starts with it drops it.
        if let text = reason, text.hasPrefix(name + ": ") { reason = String(text.dropFirst(name.count + 2)) }
        // A last guard (messages are masked where they are made, and secrets do not belong on a
        // command line): list, describe, the watch stream and the dashboard show these.
        reason = reason.map(spawnedSecrets.mask)
        return InstanceInfo(
            id: id, name: name, kind: config.kind.rawValue, status: machine.status,
            pid: machine.pid.map(Int.init), uptimeMs: uptime, restarts: machine.restarts, port: config.port,
            cvatSync: config.cvatSync, reason: reason, lastExit: machine.lastExit?.description,
            nextTryMs: nextTry, history: detailed ? history : [],
            logErrors: out.errors + err.errors, lastLogError: err.lastError ?? out.lastError,
            command: detailed ? lastCommand.map(spawnedSecrets.mask) : [], cwd: detailed ? config.cwd : "",
            address: config.address)
    }
}
