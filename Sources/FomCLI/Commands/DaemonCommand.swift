import FomCore
import FomDaemon
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `fom daemon`, `fom ping`, `fom kill`.
enum DaemonCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom daemon: unexpected argument \"\(extra)\"") }
        if let socket = args.options["--hold"] {
            // Internal: the descriptor holder the daemon starts (see DescriptorHolder).
            return DescriptorHolder.run(socketPath: socket)
        }
        if args.has("--handover-probe") {
            // Internal: the running daemon asks, before `fom upgrade` execs this binary, whether
            // it is a fom that can take its handed state.
            Output.out(Supervisor.handoverProbeAnswer)
            return 0
        }
        let signalFD = try Supervisor.blockSignals()
        // While the daemon holds few descriptors: a spawn copies the ones below these only.
        Spawn.reserveLowSlots()
        if let handed = args.options["--handover"] {
            // Internal: `fom upgrade` exec'd this binary in the daemon's own process.
            guard let stateFD = Int32(handed), let previous = args.options["--previous-binary"].flatMap({ Int32($0) })
            else { throw UsageError("fom daemon: --handover is internal to 'fom upgrade'") }
            return Supervisor.takeOver(
                stateFD: stateFD, previousBinary: previous, refusedFD: args.options["--refused"].flatMap { Int32($0) },
                signalFD: signalFD)
        }
        let context = try Context.load(args)
        let directory = try context.runtime.prepare()
        guard let lock = context.runtime.lock(in: directory) else {
            throw Failure(
                "a daemon is already running for \(context.config.path) (pid \(context.runtime.lockHolder()))")
        }
        _ = lock  // held open for the daemon's life; the kernel releases it at exit
        // Instances of this directory under another live daemon: its runtime directory was
        // removed under it and it is making it again. Starting here would run them twice.
        if let other = ProcessTree.otherDaemon(treeKey: context.runtime.treeKey) {
            throw Failure(
                "a daemon is already running for \(context.config.path) (pid \(other), which runs its instances; it is making \(context.runtime.path) again)"
            )
        }
        var options = Supervisor.Options(
            config: context.config, envFile: context.envFile, runtime: context.runtime,
            echoEvents: !args.has("--background"), configDigest: context.configDigest)
        options.envFileRequired = context.envName != nil
        let supervisor = try Supervisor(options)
        supervisor.daemonLockFD = lock  // kept across `fom upgrade`'s exec
        return try supervisor.run(signalFD: signalFD)
    }

    /// No daemon, but a daemon that died may have left its instances running: they carry this
    /// runtime directory's marker. Stop them as the daemon would: stop signal and SIGCONT, then
    /// SIGKILL after the longest killTimeout.
    static func stopOrphans(_ context: Context) -> Int32 {
        // The holder of the daemon that died lets its pipes go (after the stop: it holds no process).
        defer { Supervisor.dismissHolder(runtime: context.runtime) }
        let found = ProcessTree.membersByName(treeKey: context.runtime.treeKey)
        let pids = found.values.flatMap { $0 }
        guard !pids.isEmpty else {
            Output.err("fom kill: the daemon is not running, and no process of it is left")
            return 0
        }
        // Each process gets its instance's own stop signal and killTimeout.
        let start = Clock.monotonicNanoseconds()
        var deadlines: [Int32: Int64] = [:]
        for (name, members) in found {
            let config = context.config.instance(named: name)
            let signal = config?.stopSignal.number ?? SIGTERM
            let grace = config?.killTimeout ?? .seconds(10)
            for pid in members {
                Signals.send(pid, signal)
                Signals.send(pid, SIGCONT)
                deadlines[pid] = start + grace.nanoseconds
            }
        }
        var killed = 0
        while !deadlines.isEmpty {
            let now = Clock.monotonicNanoseconds()
            for (pid, deadline) in deadlines {
                if !ProcFS.isLive(pid) {
                    deadlines[pid] = nil
                } else if now >= deadline {
                    Signals.send(pid, SIGKILL)
                    killed += 1
                    deadlines[pid] = nil
                }
            }
            if !deadlines.isEmpty { usleep(10_000) }
        }
        let names = found.keys.sorted().joined(separator: ", ")
        Output.out(
            "stopped \(pids.count) process(es) of \(names) left by a daemon that is gone"
                + (killed == 0 ? "" : " (\(killed) needed SIGKILL)"))
        return 0
    }

    static func ping(_ args: ParsedArguments) throws -> Int32 {
        let context = try Context.load(args)
        let client = try Client.connectOrStart(context, command: "ping")
        defer { client.close() }
        let answer = try client.request(Request(.ping))
        if args.has("--json") {
            Output.out(answer.serialized())
        } else {
            let pid = answer["pid"]?.intValue ?? 0
            let uptime = answer["uptimeMs"]?.intValue ?? 0
            // The env file too: the daemon reads the one it was started with, whatever `--env` says now.
            let envFile = answer["envFile"]?.stringValue.map { ", env file \($0)" } ?? ""
            let version = answer["version"]?.stringValue.map { ", version \($0)" } ?? ""
            // When `fom upgrade` last re-executed it (same pid, same instances).
            let reexecuted =
                answer["reexecutedAtMs"]?.intValue.map {
                    ", re-executed \(Output.duration(ms: Int(Clock.wallMilliseconds()) - $0)) ago"
                } ?? ""
            Output.out(
                "pong: daemon pid \(pid), up \(Output.duration(ms: uptime))\(version)\(reexecuted), \(answer["config"]?.stringValue ?? "")\(envFile)"
            )
        }
        if let warning = answer["stateWarning"]?.stringValue { Output.err("fom ping: warning: \(warning)") }
        return 0
    }

    static func kill(_ args: ParsedArguments) throws -> Int32 {
        let context = try Context.load(args)
        guard let client = try Client.connect(context) else {
            return stopOrphans(context)
        }
        defer { client.close() }
        _ = try client.request(Request(.kill))
        // The answer comes once every instance is down; the lock goes when the process exits.
        let deadline = Clock.monotonicNanoseconds() + 10_000_000_000
        let pid = context.runtime.daemonPid()
        while let pid, ProcFS.isLive(pid), Clock.monotonicNanoseconds() < deadline {
            usleep(2000)
        }
        Output.out("daemon stopped")
        return 0
    }
}
