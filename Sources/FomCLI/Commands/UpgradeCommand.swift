import FomCore
import FomProtocol
import SystemKit

/// `fom upgrade [--binary PATH]`: the daemon execs the new binary in its own process and hands
/// it its whole state; the instances keep running as its children.
enum UpgradeCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom upgrade: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        var binary: String?
        if let path = args.options["--binary"] {
            let absolute = PosixPath.absolute(path, base: Files.currentDirectory())
            if let reason = Files.notExecutableReason(absolute) {
                throw Failure("fom upgrade --binary \(path): \(absolute) \(reason), so it is not an executable file")
            }
            binary = absolute
        }
        guard let client = try Client.connect(context) else {
            throw Failure("fom upgrade: the daemon is not running (a daemon that starts runs the binary as it is)")
        }
        defer { client.close() }
        var request = Request(.upgrade)
        request.binary = binary
        let answer = try client.request(request)
        let pid = answer["pid"]?.intValue ?? 0
        let from = answer["from"]?.stringValue ?? "?"
        let to = answer["to"]?.stringValue ?? "?"
        let running = answer["running"]?.intValue ?? 0
        Output.out(
            "upgraded: daemon pid \(pid) now runs \(answer["binary"]?.stringValue ?? "?") (version \(to), was \(from)); \(running) running instance(s) kept their processes"
        )
        if pid == 1 {
            Output.out(
                "the daemon is PID 1 (a container): it re-executed itself in place, so the container and its instances went on"
            )
        }
        return 0
    }
}
