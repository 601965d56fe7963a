import FomCore
import FomDaemon
import FomProtocol
import Glibc
import SystemKit

/// `fom daemon`, `fom ping`, `fom kill`.
enum DaemonCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom daemon: unexpected argument \"\(extra)\"") }
        let signalFD = try Supervisor.blockSignals()
        let context = try Context.load(args)
        try context.runtime.prepare()
        guard let lock = context.runtime.lock() else {
            let pid = Files.readText(context.runtime.lockFile)?.split(separator: "\n").first ?? "?"
            throw Failure("a daemon is already running for \(context.config.path) (pid \(pid))")
        }
        _ = lock  // held open for the daemon's life; the kernel releases it at exit
        let supervisor = try Supervisor(
            Supervisor.Options(
                config: context.config, envFile: context.envFile, runtime: context.runtime, echoEvents: true))
        return try supervisor.run(signalFD: signalFD)
    }

    static func ping(_ args: ParsedArguments) throws -> Int32 {
        let context = try Context.load(args)
        let client = try Client.connectOrStart(context)
        defer { client.close() }
        let answer = try client.request(Request(.ping))
        if args.has("--json") {
            Output.out(answer.serialized())
        } else {
            let pid = answer["pid"]?.intValue ?? 0
            let uptime = answer["uptimeMs"]?.intValue ?? 0
            Output.out(
                "pong: daemon pid \(pid), up \(Output.duration(ms: uptime)), \(answer["config"]?.stringValue ?? "")")
        }
        return 0
    }

    static func kill(_ args: ParsedArguments) throws -> Int32 {
        let context = try Context.load(args)
        guard let client = Client.connect(context) else {
            Output.err("fom kill: the daemon is not running")
            return 0
        }
        defer { client.close() }
        _ = try client.request(Request(.kill))
        // The answer comes once every instance is down; the lock goes when the process exits.
        let deadline = Clock.monotonicNanoseconds() + 10_000_000_000
        let pid = context.runtime.daemonPid()
        while let pid, ProcFS.stat(pid).map({ $0.state != "Z" }) ?? false, Clock.monotonicNanoseconds() < deadline {
            usleep(2000)
        }
        Output.out("daemon stopped")
        return 0
    }
}
