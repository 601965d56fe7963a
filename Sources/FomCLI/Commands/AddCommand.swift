import FomCore
import FomProtocol

/// `fom add NAME --port P`: the manager's "create instance". Appends the instance to
/// supervisor.json (a FiftyOne instance wired to the file's MongoDB with a database of its own)
/// and has a running daemon start it.
enum AddCommand {
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        var args = arguments
        let variables = try ConfigChange.splitEnvOption(&args, command: "add")
        guard args.positionals.count == 1 else {
            throw UsageError(
                args.positionals.isEmpty
                    ? "fom add: name the new instance: fom add NAME --port P"
                    : "fom add: unexpected argument \"\(args.positionals[1])\" (one instance at a time)")
        }
        let name = args.positionals[0]
        var kind = InstanceKind.fiftyone
        if let value = args.options["--kind"] {
            guard let known = InstanceKind(rawValue: value) else {
                throw UsageError("fom add: --kind is fiftyone or process, not \"\(value)\"")
            }
            kind = known
        }
        var instance = NewInstance(name: name, kind: kind)
        if let value = args.options["--port"] { instance.port = try EditCommand.port(value, command: "add") }
        instance.cvatSync = args.has("--cvat-sync")
        instance.autostart = !args.has("--no-autostart")
        instance.dependsOn = args.values("--depends-on")
        instance.env = variables
        instance.command = args.passthrough ?? []
        if let database = args.options["--database"] {
            guard kind == .fiftyone else { throw UsageError("fom add: --database is for fiftyone instances") }
            guard !database.isEmpty else { throw UsageError("fom add: --database takes a name") }
            instance.database = database
        }
        if kind == .process && instance.command.isEmpty {
            throw UsageError(
                "fom add: a process instance needs its command after '--': fom add \(name) --kind process -- COMMAND [ARG...]"
            )
        }
        if args.passthrough != nil && instance.command.isEmpty {
            throw UsageError("fom add: no command after '--'")
        }

        let context = try Context.load(args)
        var change = ConfigChange("add", context, json: args.has("--json"))
        let (object, notes) = instance.object(joining: context.config.instances)
        let before = try change.snapshot()
        let (config, written) = try change.write { text in try text.appendInstance(object) }
        var described: [String] = []
        if let port = instance.port { described.append("port \(port)") }
        if instance.cvatSync { described.append("cvatSync on") }
        if !instance.autostart { described.append("autostart off") }
        change.summary = "added \(name)" + (described.isEmpty ? "" : " (\(described.joined(separator: ", ")))")
        change.notes = notes
        EditCommand.warnAboutSecrets(variables.map(\.key), command: "add")
        change.warnIfCannotStart(name, in: config)
        let outcome = try change.apply(
            written: written, noApply: args.has("--no-apply"), before: before, config: config)
        change.print(file: written, outcome: outcome, instance: name)
        return outcome.failed ? 1 : 0
    }
}
