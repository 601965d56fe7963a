import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `fom start`, `fom stop`, `fom restart`: ask the daemon, wait until the targets settle,
/// print their rows. Exit 1 when one of them did not end where asked.
enum LifecycleCommand {
    static func start(_ args: ParsedArguments) throws -> Int32 { try act(.start, args) }
    static func stop(_ args: ParsedArguments) throws -> Int32 { try act(.stop, args) }
    static func restart(_ args: ParsedArguments) throws -> Int32 { try act(.restart, args) }

    /// With no daemon running, the state file first says that these stay down, so the daemon
    /// that `stop` starts (as every changing command does) never brings them up just to stop them.
    /// A daemon starting at this very moment reads the state either before (and is then asked to
    /// stop them, as a running daemon is) or after this edit, never in the middle of it.
    static func markDown(_ context: Context, _ names: [String]) throws {
        let directory: Directory
        do {
            directory = try context.runtime.prepare()
        } catch {
            throw Failure("\(error)")
        }
        try context.runtime.withStateLock(in: directory) {
            var (state, problem) = StateStore.load(from: directory)
            if let problem {
                // As the daemon does: a senseless state file is kept aside for a look, not trusted.
                let name = StateStore.setAside(in: directory) ?? "(could not be renamed)"
                Output.err(
                    "fom: the state file \(context.runtime.stateFile) does not make sense (\(problem)); set aside as \(name)"
                )
            }
            _ = state.ids.assign(context.config.instances.map(\.name))
            for name in names { state.wanted[name] = false }
            do {
                try state.save(in: directory)
            } catch {
                throw Failure("\(error)")
            }
        }
    }

    static func act(_ command: Request.Command, _ args: ParsedArguments) throws -> Int32 {
        if command != .start && args.positionals.isEmpty {
            throw UsageError("fom \(command.rawValue): name the instances (id, name or all)")
        }
        let context = try Context.load(args)
        // Unknown names are reported before anything is started.
        let named = context.configError == nil ? try args.positionals.flatMap { try context.instances($0) } : []
        let wasRunning = try Client.isDaemonRunning(context)
        if command == .stop, !wasRunning {
            try markDown(context, named.map(\.config.name))
        }
        let client = try Client.connectOrStart(context, command: command.rawValue)
        defer { client.close() }
        let wait = !args.has("--no-wait")
        if wait && command != .stop && isatty(2) == 1 {
            let what =
                args.positionals.isEmpty
                ? "the autostart instances are"
                : args.positionals.joined(separator: ", ")
                    + (args.positionals.count == 1 && args.positionals[0] != "all" ? " is" : " are")
            Output.err(
                "fom \(command.rawValue): waiting until \(what) online (Ctrl-C stops the waiting, not the instances)")
        }
        let answer = try client.request(
            Request(command, targets: args.positionals, wait: wait, coldStart: !wasRunning && command != .stop))
        context.warnIfConfigChanged(daemonDigest: answer["configDigest"]?.stringValue, command: command.rawValue)
        let rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
        if args.has("--json") {
            Output.out(JSONValue.array(rows.map(\.json)).serialized())
        } else {
            ListCommand.printTable(rows)
        }
        guard wait else { return 0 }
        let wanted: [InstanceStatus] = command == .stop ? [.stopped, .exited, .errored] : [.online]
        var failed = false
        for row in rows where !wanted.contains(row.status) {
            failed = true
            var message = "fom \(command.rawValue): \(row.name) is \(row.status)"
            if let reason = row.reason {
                message += ": \(reason)"
            } else if let exit = row.lastExit {
                message += " (last: \(exit))"
            }
            Output.err(message)
        }
        if command == .stop {
            for row in rows where row.status == .errored {
                failed = true; Output.err("fom stop: \(row.name) is errored: \(row.reason ?? "")")
            }
        }
        return failed ? 1 : 0
    }
}
