import FomCore
import FomProtocol
import FomRuntime
import SystemKit

/// `fom env ID`: the environment the process really has, read from /proc/PID/environ by the daemon.
enum EnvCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else { throw UsageError("fom env: name one instance (id or name)") }
        let target = args.positionals[0]
        let context = try Context.load(args)
        let reveal = args.has("--reveal")

        // Shown as they come: the daemon masks its answer (by `SecretValues`) unless --reveal,
        // and without a daemon the environment is masked here by the same rule.
        var variables: [String: String]
        var name = target
        if let client = try Client.connect(context) {
            defer { client.close() }
            let raw = try client.request(Request(.env, targets: [target], reveal: reveal))
            guard let answer = EnvAnswer(json: raw) else {
                throw Failure(raw["error"]?.stringValue ?? "the daemon gave no environment")
            }
            try context.checkDaemonEnvFile(answer.envFile, command: "env")
            name = answer.instance.name
            context.warnIfConfigChanged(daemonDigest: answer.configDigest, command: "env")
            if let current = answer.current {
                variables = current
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
                guard let next = answer.next else {
                    throw Failure(answer.nextError ?? "cannot compute the environment")
                }
                variables = next
                Output.err("fom env: \(name) is not running; this is the environment its next start would get")
            }
        } else {
            let (config, id) = try context.instance(target)
            name = config.name
            let environment = try context.nextEnvironment(config, id: id)
            variables = environment.secrets.display(environment.variables, reveal: reveal)
            let orphaned = ListCommand.offlineRows(context).contains { $0.name == name && $0.status == .orphaned }
            Output.err(
                orphaned
                    ? "fom env: \(ListCommand.survivorsNote([name])); this is the environment its next start would get"
                    : "fom env: \(name) is not running (no daemon); this is the environment its next start would get")
        }

        let names = ResolvedEnvironment.byteOrder(Array(variables.keys))
        if args.has("--json") {
            var object = JSONObject()
            for key in names { object[key] = .string(variables[key]!) }
            Output.out(JSONValue.object(object).serialized(pretty: true))
        } else {
            // One write for the lot: a `.env` may hold a great many variables.
            var text = ""
            for key in names {
                text += Self.line(key, variables[key]!)
                text += "\n"
            }
            try? FileDescriptor.writeAll(1, text)
        }
        return 0
    }

    /// `KEY=VALUE`, one line whatever the value holds: a value with a line break or another control
    /// character is written double-quoted with `\n`-style escapes (as a `.env` reads it back), so
    /// it cannot forge a line of its own (`FIFTYONE_CVAT_URL=...`) for a `grep`.
    static func line(_ key: String, _ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard needsQuotes else { return key + "=" + value }
        var quoted = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "$": quoted += "\\$"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    // `\0` and three octal digits, the .env form of any byte.
                    let octal = String(scalar.value, radix: 8)
                    quoted += "\\0" + String(repeating: "0", count: 3 - octal.count) + octal
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return key + "=\"" + quoted + "\""
    }
}
