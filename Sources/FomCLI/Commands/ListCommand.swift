import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `fom list` (`ls`, `status`): never starts the daemon.
enum ListCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom list: unexpected argument \"\(extra)\"") }
        // The common case, a daemon that runs the file as it is now, needs no parse of the file.
        if !args.has("--watch"), let light = try Context.withoutParsing(args), let client = try Client.connect(light) {
            let answer: JSONValue
            do {
                defer { client.close() }
                answer = try client.request(Request(.list))
            }
            if answer["configDigest"]?.stringValue == light.configDigest {
                show((answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:)), json: args.has("--json"))
                return 0
            }
        }
        let context = try Context.load(args)
        if args.has("--watch") { return try watch(context, json: args.has("--json")) }
        var rows: [InstanceInfo]
        if let client = try Client.connect(context) {
            defer { client.close() }
            let answer = try client.request(Request(.list))
            context.warnIfConfigChanged(daemonDigest: answer["configDigest"]?.stringValue, command: "list")
            rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
        } else {
            rows = offlineRows(context)
            let survivors = rows.filter { $0.status == .orphaned }
            if !survivors.isEmpty {
                Output.err("fom list: " + survivorsNote(survivors.map(\.name)))
            } else if !args.has("--json") {
                Output.err("fom list: the daemon is not running ('fom start' or 'fom ping' starts it)")
            }
        }
        show(rows, json: args.has("--json"))
        return 0
    }

    static func show(_ rows: [InstanceInfo], json: Bool) {
        if json {
            Output.out(JSONValue.array(rows.map(\.json)).serialized())
        } else {
            printTable(rows, reasons: true)
        }
    }

    /// What the next daemon does with processes of the last run that outlived their daemon, as
    /// `adopt` and `cleanUpEarlierRun` do it (FomDaemon/Handover/Supervisor+Holder.swift): said
    /// the same way by every command that finds them without a daemon.
    static func survivorsNote(_ names: [String]) -> String {
        "the daemon is not running, but \(names.joined(separator: ", ")) still \(names.count == 1 ? "runs" : "run") from its last run; the next daemon ('fom ping' starts it) adopts each one that runs the command supervisor.json gives now and whose pipes the descriptor holder kept (same pid, no restart, nothing it printed lost); any other it stops (stop signal, then SIGKILL after killTimeout) and starts again if it is wanted up"
    }

    /// Without a daemon: every instance stopped, except a process of the last run still alive.
    static func offlineRows(_ context: Context) -> [InstanceInfo] {
        let state = context.runtime.readState()
        return zip(context.config.instances, context.instanceIDs()).map { config, id in
            var row = InstanceInfo(
                id: id, name: config.name, kind: config.kind.rawValue,
                status: .stopped, port: config.port, cvatSync: config.cvatSync, address: config.address)
            if let running = state.running[config.name],
                ProcFS.isSameRun(running.pid, startTime: running.startTime)
            {
                row.status = .orphaned
                row.pid = Int(running.pid)
            }
            return row
        }
    }

    /// `reasons`: the lines under the table that say why an instance is errored (start, stop
    /// and restart say it on stderr instead).
    static func printTable(_ rows: [InstanceInfo], reasons: Bool = false) {
        // One write for the whole table: a line each was 1,000 system calls for 1,000 rows.
        let lines = tableLines(rows, reasons: reasons)
        if !lines.isEmpty { Output.out(lines.joined(separator: "\n")) }
    }

    static func tableLines(_ rows: [InstanceInfo], reasons: Bool = false) -> [String] {
        let header = [
            "id", "name", "kind", "status", "pid", "uptime", "restarts", "cpu", "memory", "port", "cvat", "url",
        ]
        let body = rows.map { row -> [String] in
            [
                String(row.id), row.name, row.kind, Output.statusColor(row.status.rawValue),
                row.pid.map(String.init) ?? "-",
                row.uptimeMs.map { Output.duration(ms: $0) } ?? "-", String(row.restarts), Output.cpu(row.cpuPercent),
                Output.memory(row.memoryBytes), row.port.map(String.init) ?? "-", row.cvatSync ? "on" : "off",
                row.url ?? "-",
            ]
        }
        var lines = Output.table(header, body)
        // Why an errored instance gave up, under the table: the table alone says only "errored".
        for row in rows where reasons && row.status == .errored {
            lines.append("\(row.name): errored: \(row.reason ?? row.lastExit ?? "no reason recorded")")
        }
        return lines
    }
}

extension ListCommand {
    /// `fom list --watch`: the table again on each change, from the daemon's `watch` stream
    /// (nothing is polled). On a terminal the screen is cleared first; otherwise tables are
    /// separated by a blank line. With --json: one JSON array of rows per change.
    static func watch(_ context: Context, json: Bool) throws -> Int32 {
        guard let client = try Client.connect(context) else {
            throw Failure("the daemon is not running; there is nothing to watch ('fom start' or 'fom ping' starts it)")
        }
        defer { client.close() }
        let stream = try WatchStream(client)
        let onTerminal = Output.colorOut || isatty(1) == 1
        var last: [String] = []
        var first = true
        repeat {
            let rows = stream.currentRows()
            let lines = json ? [JSONValue.array(rows.map(\.json)).serialized()] : tableLines(rows, reasons: true)
            if lines != last {
                last = lines
                var text = lines.joined(separator: "\n") + "\n"
                if onTerminal && !json {
                    text = "\u{1B}[H\u{1B}[2J" + text
                } else if !first && !json {
                    text = "\n" + text
                }
                first = false
                try? FileDescriptor.writeAll(1, text)
            }
        } while try stream.waitAndReceive()
        throw Failure("the daemon closed the watch (it stopped, or this reader fell too far behind)")
    }
}
