import FomCore
import FomProtocol

/// `fom edit ID`: the manager's "edit instance", above all the CVAT Sync checkbox. Changes only
/// the lines of that instance in supervisor.json, then has a running daemon apply it (a restart
/// of the instance, with its environment computed afresh).
enum EditCommand {
    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        var args = arguments
        let variables = try ConfigChange.splitEnvOption(&args, command: "edit")
        guard args.positionals.count == 1 else {
            throw UsageError(
                args.positionals.isEmpty
                    ? "fom edit: name one instance (id or name): fom edit ID --cvat-sync on"
                    : "fom edit: unexpected argument \"\(args.positionals[1])\" (one instance at a time)")
        }
        let edits = try self.edits(args, variables: variables)
        guard !edits.isEmpty else {
            throw UsageError(
                "fom edit: nothing to change; use --cvat-sync on|off, --port P, --env K=V, --unset-env K, --autostart on|off, --set KEY=JSON or --unset KEY"
            )
        }

        let context = try Context.load(args)
        let name = try context.instance(args.positionals[0]).config.name
        var change = ConfigChange("edit", context, json: args.has("--json"))
        let before = try change.snapshot()
        var changed: [Bool] = []
        let (config, written) = try change.write { text in
            changed = try edits.map { try $0.edit.apply(to: &text, instance: name) }
        }
        for (item, didChange) in zip(edits, changed) where !didChange {
            if case .unsetEnv(let variable) = item.edit { change.note("\(name) has no env.\(variable) in the file") }
        }
        let done = zip(edits, changed).filter(\.1).map(\.0.summary)
        change.summary = "\(name): " + (done.isEmpty ? edits.map(\.summary) : done).joined(separator: ", ")
        warnAboutSecrets(variables.map(\.key), command: "edit")
        change.warnIfCannotStart(name, in: config)
        let outcome = try change.apply(
            written: written, noApply: args.has("--no-apply"), before: before, config: config)
        change.print(file: written, outcome: outcome, instance: name)
        return outcome.failed ? 1 : 0
    }

    /// The edits the options ask for, in a fixed order: `--set`, `--unset`, then the named
    /// options, then the variables.
    static func edits(_ args: ParsedArguments, variables: [(key: String, value: String)]) throws -> [(
        edit: InstanceEdit, summary: String
    )] {
        var edits: [(edit: InstanceEdit, summary: String)] = []
        func add(_ edit: InstanceEdit, _ summary: String? = nil) { edits.append((edit, summary ?? edit.summary)) }
        for assignment in args.values("--set") {
            guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
                throw UsageError(
                    "fom edit: --set takes KEY=JSON (e.g. --set 'restart=\"never\"'), not \"\(assignment)\"")
            }
            let key = String(assignment[..<eq])
            let text = String(assignment[assignment.index(after: eq)...])
            // A value that is not JSON is taken as a string: --set restart=never.
            let value = (try? JSONValue(parsing: text)) ?? .string(text)
            add(.set(key: key, value: value))
        }
        for key in args.values("--unset") {
            guard !key.isEmpty else { throw UsageError("fom edit: --unset takes a key") }
            add(.remove(key: key))
        }
        if let value = args.options["--port"] {
            add(.set(key: "port", value: JSONValue(try port(value, command: "edit"))))
        }
        // Off is the default, so it is written by taking the key out: on then off gives back
        // the file as it was.
        if let value = args.options["--cvat-sync"] {
            let on = try onOff(value, "--cvat-sync")
            add(on ? .set(key: "cvatSync", value: true) : .remove(key: "cvatSync"), "cvatSync \(on ? "on" : "off")")
        }
        if let value = args.options["--autostart"] {
            let on = try onOff(value, "--autostart")
            add(on ? .remove(key: "autostart") : .set(key: "autostart", value: false), "autostart \(on ? "on" : "off")")
        }
        for (key, value) in variables { add(.setEnv(name: key, value: value)) }
        for key in args.values("--unset-env") {
            guard !key.isEmpty else { throw UsageError("fom edit: --unset-env takes a variable name") }
            add(.unsetEnv(name: key))
        }
        return edits
    }

    static func onOff(_ value: String, _ option: String) throws -> Bool {
        switch value.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw UsageError("fom edit: \(option) takes on or off, not \"\(value)\"")
        }
    }

    /// A number; its range is the loader's to check, so the message is validate's.
    static func port(_ value: String, command: String) throws -> Int {
        guard let port = Int(value) else {
            throw UsageError("fom \(command): --port takes a port number from 1 to 65535, not \"\(value)\"")
        }
        return port
    }

    /// A secret typed on the command line is in the shell's history and, while fom runs, in `ps`.
    static func warnAboutSecrets(_ names: [String], command: String) {
        for name in names where Redaction.isSecret(name) {
            Output.err(
                "fom \(command): note: \(name) was given on the command line, where the shell's history keeps it; a secret is better kept in the env file"
            )
        }
    }
}
