import FomCore
import FomDaemon
import FomProtocol
import SystemKit

/// `fom env ID`: the environment the process really has, read from /proc/PID/environ.
enum EnvCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else { throw UsageError("fom env: name one instance (id or name)") }
        let target = args.positionals[0]
        let context = try Context.load(args)
        let reveal = args.has("--reveal")

        var variables: [String: String]
        var name = target
        if let client = Client.connect(context) {
            defer { client.close() }
            let raw = try client.request(Request(.env, targets: [target]))
            guard let answer = EnvAnswer(json: raw) else {
                throw Failure(raw["error"]?.stringValue ?? "the daemon gave no environment")
            }
            try context.checkDaemonEnvFile(answer.envFile, command: "env")
            name = answer.instance.name
            context.warnIfConfigChanged(daemonDigest: answer.configDigest, command: "env")
            if let pid = answer.instance.pid, let lines = ProcFS.environment(Int32(pid)) {
                variables = parse(lines)
                // Compared by the daemon against what fom started it with: a wrapper may have
                // changed /proc's copy, and secrets are compared without ever leaving the daemon.
                if !answer.drift.isEmpty {
                    Output.err(
                        "fom env: warning: the files changed since \(name) started; a restart would change \(answer.drift.joined(separator: ", ")) (run 'fom restart \(name)')"
                    )
                } else if var error = answer.nextError {
                    if error.hasPrefix(name + ": ") { error.removeFirst(name.count + 2) }
                    Output.err("fom env: warning: a restart of \(name) would fail: \(error)")
                }
            } else {
                // Not running: the daemon's masked view, unless --reveal asked for the values.
                if reveal {
                    let revealed = try client.request(Request(.env, targets: [target], reveal: true))
                    guard let next = EnvAnswer(json: revealed)?.next else {
                        throw Failure(answer.nextError ?? "cannot compute the environment")
                    }
                    variables = next
                } else {
                    guard let next = answer.next else {
                        throw Failure(answer.nextError ?? "cannot compute the environment")
                    }
                    variables = next
                }
                Output.err("fom env: \(name) is not running; this is the environment its next start would get")
            }
        } else {
            let (config, id) = try context.instance(target)
            name = config.name
            variables = try context.nextEnvironment(config, id: id).variables
            Output.err("fom env: \(name) is not running (no daemon); this is the environment its next start would get")
        }

        let names = variables.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if args.has("--json") {
            var object = JSONObject()
            for key in names {
                object[key] = .string(Redaction.display(name: key, value: variables[key]!, reveal: reveal))
            }
            Output.out(JSONValue.object(object).serialized(pretty: true))
        } else {
            for key in names {
                Output.out("\(key)=\(Redaction.display(name: key, value: variables[key]!, reveal: reveal))")
            }
        }
        return 0
    }

    static func parse(_ lines: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            guard let eq = line.firstIndex(of: "=") else { continue }
            result[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return result
    }
}
