import FomCore
import FomProtocol
import SystemKit

/// `fom describe ID`: everything about one instance.
enum DescribeCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else { throw UsageError("fom describe: name one instance (id or name)") }
        let context = try Context.load(args)
        let (config, id) = try context.instance(args.positionals[0])
        var info = InstanceInfo(
            id: id, name: config.name, kind: config.kind.rawValue, status: "stopped",
            port: config.port, cvatSync: config.cvatSync,
            command: config.resolvedCommand(pythonExists: Files.isExecutable), cwd: config.cwd)
        var sources: [(String, String)] = []
        var nextError: String?
        var stateWarning: String?
        if let client = try Client.connect(context) {
            defer { client.close() }
            let answer = try client.request(Request(.describe, targets: [config.name]))
            context.warnIfConfigChanged(daemonDigest: answer["configDigest"]?.stringValue, command: "describe")
            if let live = answer["instance"].flatMap(InstanceInfo.init(json:)) {
                info = live
                if info.command.isEmpty { info.command = config.resolvedCommand(pythonExists: Files.isExecutable) }
            }
            for member in answer["sources"]?.objectValue ?? JSONObject() {
                sources.append((member.key, member.value.stringValue ?? ""))
            }
            nextError = answer["nextError"]?.stringValue
            stateWarning = answer["stateWarning"]?.stringValue
        } else {
            do {
                let env = try context.nextEnvironment(config, id: id)
                sources = env.sortedNames.map { ($0, env.source(of: $0)?.description ?? "") }
            } catch {
                nextError = "\(error)"
            }
        }
        if args.has("--json") {
            var json = info.json
            if case .object(var o) = json {
                var s = JSONObject()
                for (k, v) in sources { s[k] = .string(v) }
                o["envSources"] = .object(s)
                o["envFile"] = .string(context.envFile)
                o["logs"] = [
                    "out": .string("\(context.config.logs.dir)/\(config.name).out.log"),
                    "err": .string("\(context.config.logs.dir)/\(config.name).err.log"),
                ]
                o["ready"] = .string(describeReady(config))
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
        row("status", Output.statusColor(info.status) + (info.reason.map { " (\($0))" } ?? ""))
        row("pid", info.pid.map(String.init) ?? "-")
        row("uptime", info.uptimeMs.map { Output.duration(ms: $0) } ?? "-")
        row("restarts", String(info.restarts))
        row("command", info.command.joined(separator: " "))
        row("cwd", config.cwd)
        row("port", info.port.map { "\($0) on \(config.address)" } ?? "-")
        row("ready check", describeReady(config))
        row(
            "restart",
            "\(config.restart.rawValue), maxRestarts \(config.maxRestarts), minUptime \(DurationText.format(config.minUptime)), backoff \(DurationText.format(config.backoff.initial))..\(DurationText.format(config.backoff.max))"
        )
        row("stop", "\(config.stopSignal.name), SIGKILL after \(DurationText.format(config.killTimeout))")
        row(
            "memory limit",
            config.maxMemory.map { "\(SizeText.format($0)) for the whole tree, checked every 3s" } ?? "-")
        row("depends on", config.dependsOn.isEmpty ? "-" : config.dependsOn.joined(separator: ", "))
        row("cvat sync", config.cvatSync ? "on" : "off")
        row("env file", context.envFile)
        row("logs", "\(context.config.logs.dir)/\(config.name).out.log, \(config.name).err.log")
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

    static func describeReady(_ config: InstanceConfig) -> String {
        switch config.ready {
        case .none: return "none (online once running)"
        case .http(let path):
            return
                "GET http://\(config.address):\(config.port ?? 0)\(path) answers 200 within \(DurationText.format(config.readyTimeout))"
        case .tcp(let port): return "TCP connect to port \(port) within \(DurationText.format(config.readyTimeout))"
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
