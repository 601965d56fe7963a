import FomCore
import FomProtocol
import FomRuntime
import SystemKit

/// `fom list` (`ls`, `status`): never starts the daemon.
enum ListCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom list: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        var rows: [InstanceInfo]
        if let client = try Client.connect(context) {
            defer { client.close() }
            let answer = try client.request(Request(.list))
            context.warnIfConfigChanged(daemonDigest: answer["configDigest"]?.stringValue, command: "list")
            rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
        } else {
            rows = offlineRows(context)
            let survivors = rows.filter { $0.status == "orphaned" }
            if !survivors.isEmpty {
                Output.err(
                    "fom list: the daemon is not running, but \(survivors.map(\.name).joined(separator: ", ")) still run from its last run; 'fom ping' starts the daemon, which stops them and starts what is wanted"
                )
            } else if !args.has("--json") {
                Output.err("fom list: the daemon is not running ('fom start' or 'fom ping' starts it)")
            }
        }
        if args.has("--json") {
            Output.out(JSONValue.array(rows.map(\.json)).serialized())
        } else {
            printTable(rows)
        }
        return 0
    }

    /// Without a daemon: every instance stopped, except a process of the last run still alive.
    static func offlineRows(_ context: Context) -> [InstanceInfo] {
        let state = context.runtime.readState()
        return zip(context.config.instances, context.instanceIDs()).map { config, id in
            var row = InstanceInfo(
                id: id, name: config.name, kind: config.kind.rawValue,
                status: "stopped", port: config.port, cvatSync: config.cvatSync)
            if let running = state.running[config.name],
                ProcFS.isSameRun(running.pid, startTime: running.startTime)
            {
                row.status = "orphaned"
                row.pid = Int(running.pid)
            }
            return row
        }
    }

    static func printTable(_ rows: [InstanceInfo]) {
        let header = ["id", "name", "kind", "status", "pid", "uptime", "restarts", "port", "cvat"]
        let body = rows.map { row -> [String] in
            [
                String(row.id), row.name, row.kind, Output.statusColor(row.status), row.pid.map(String.init) ?? "-",
                row.uptimeMs.map { Output.duration(ms: $0) } ?? "-", String(row.restarts),
                row.port.map(String.init) ?? "-", row.cvatSync ? "on" : "off",
            ]
        }
        for line in Output.table(header, body) { Output.out(line) }
    }
}
