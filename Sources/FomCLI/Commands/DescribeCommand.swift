import FomCore
import FomProtocol
import SystemKit

/// `fom describe ID`: everything about one instance. With a daemon, the daemon resolves the id
/// and sends the settings of the config it runs, so describe works even when supervisor.json no
/// longer parses; without one, everything comes from the file.
enum DescribeCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else { throw UsageError("fom describe: name one instance (id or name)") }
        let target = args.positionals[0]
        let context = try Context.load(args)
        var info: InstanceInfo
        var config: InstanceConfig?
        var settings: [(key: String, value: String)] = []
        var sources: [(String, String)] = []
        var nextError: String?
        var envFile = context.envFile
        var stateWarning: String?
        var logs = ["\(context.config.logs.dir)/\(target).out.log", "\(context.config.logs.dir)/\(target).err.log"]
        if let client = try Client.connect(context) {
            defer { client.close() }
            let raw = try client.request(Request(.describe, targets: [target]))
            guard let answer = DescribeAnswer(json: raw) else {
                throw Failure(raw["error"]?.stringValue ?? "the daemon gave no description of \(target)")
            }
            try context.checkDaemonEnvFile(answer.envFile, command: "describe")
            context.warnIfConfigChanged(daemonDigest: answer.configDigest, command: "describe")
            info = answer.instance
            // The file's settings when it has the instance, else those the daemon runs.
            config = context.configError == nil ? context.config.instance(named: info.name) : nil
            settings = answer.settings
            sources = answer.sources.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
                ($0.key, $0.value)
            }
            nextError = answer.nextError
            // The file the daemon reads, which `--env` does not change once it runs.
            if !answer.envFile.isEmpty { envFile = answer.envFile }
            if answer.logs.count == 2 { logs = answer.logs }
            stateWarning = answer.stateWarning
        } else {
            let (found, id) = try context.instance(target)
            config = found
            info = InstanceInfo(
                id: id, name: found.name, kind: found.kind.rawValue, status: .stopped,
                port: found.port, cvatSync: found.cvatSync, address: found.address)
            // A process of the last run that outlived its daemon is not "stopped": list says so too.
            if let row = ListCommand.offlineRows(context).first(where: { $0.name == found.name }),
                row.status == .orphaned
            {
                info.status = .orphaned
                info.pid = row.pid
                Output.err("fom describe: " + ListCommand.survivorsNote([found.name]))
            }
            do {
                let env = try context.nextEnvironment(found, id: id)
                sources = env.sortedNames.map { ($0, env.source(of: $0)?.description ?? "") }
            } catch {
                nextError = "\(error)"
            }
        }
        if let config {
            settings = InstanceSettings.rows(config)
            logs = [
                "\(context.config.logs.dir)/\(config.name).out.log",
                "\(context.config.logs.dir)/\(config.name).err.log",
            ]
            if info.command.isEmpty { info.command = config.resolvedCommand(pythonExists: Files.isExecutable) }
            if info.cwd.isEmpty { info.cwd = config.cwd }
        }
        let setting = Dictionary(settings.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        if args.has("--json") {
            var json = info.json
            if case .object(var o) = json {
                var s = JSONObject()
                for (k, v) in sources { s[k] = .string(v) }
                o["envSources"] = .object(s)
                o["envFile"] = .string(envFile)
                o["logs"] = ["out": .string(logs[0]), "err": .string(logs[1])]
                o["ready"] = .string(setting["ready check"] ?? "")
                o["nextStartError"] = nextError.map { .string($0) } ?? .null
                if let stateWarning { o["stateWarning"] = .string(stateWarning) }
                json = .object(o)
            }
            Output.out(json.serialized(pretty: true))
            return 0
        }
        func row(_ key: String, _ value: String) { Output.out(key.padding(16) + value) }
        if let stateWarning { Output.err("fom describe: warning: \(stateWarning)") }
        row("id", String(info.id))
        row("name", info.name)
        row("kind", info.kind)
        row("status", Output.statusColor(info.status.rawValue) + (info.reason.map { " (\($0))" } ?? ""))
        row("pid", info.pid.map(String.init) ?? "-")
        row("uptime", info.uptimeMs.map { Output.duration(ms: $0) } ?? "-")
        row("restarts", String(info.restarts))
        row("cpu", Output.cpu(info.cpuPercent) + (info.cpuPercent == nil ? "" : " of one core, whole tree"))
        row("memory", Output.memory(info.memoryBytes) + (info.memoryBytes == nil ? "" : " resident, whole tree"))
        row("command", info.command.joined(separator: " "))
        for (key, value) in settings { row(key, value) }
        row("env file", envFile)
        let errName = logs[1].split(separator: "/").last.map(String.init) ?? logs[1]
        row("logs", "\(logs[0]), \(errName)")
        if info.logErrors > 0 { row("log errors", "\(info.logErrors) (last: \(info.lastLogError ?? "?"))") }
        row("last exit", info.lastExit ?? "-")
        if let nextError { row("next start", "would fail: \(nextError)") }
        if !info.history.isEmpty {
            Output.out("history")
            for entry in info.history { Output.out("  " + entry) }
        }
        if !sources.isEmpty {
            Output.out("env sources")
            let bySource = Dictionary(grouping: sources, by: { $0.1 })
            for source in bySource.keys.sorted() {
                Output.out("  " + source + ": " + bySource[source]!.map(\.0).joined(separator: " "))
            }
        }
        return 0
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
