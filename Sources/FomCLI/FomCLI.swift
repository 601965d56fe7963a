import FomCore

/// The entry point: `fom COMMAND [ARGS]`. Exit codes: 0 success, 1 the operation failed,
/// 2 usage error.
public enum FomCLI {
    /// What a pm2 user types, and what fom does instead.
    static let pm2Habits: [String: String] = [
        "delete": "use 'fom remove ID' (it takes the instance out of supervisor.json and stops it)",
        "save": "not needed: fom keeps what is wanted up in .fom/state.json and brings it back when the daemon starts",
        "resurrect": "not needed: the daemon brings back what was wanted up when it starts ('fom ping')",
        "show": "use 'fom describe ID'",
        "info": "use 'fom describe ID'",
        "update": "use 'fom upgrade': the daemon re-executes its new binary in place and every instance keeps running",
    ]

    public static func main(_ arguments: [String]) -> Int32 {
        var words = Array(arguments.dropFirst())
        guard let first = words.first else {
            HelpCommand.printOverview()
            return 2
        }
        if first == "--version" || first == "-V" || first == "version" {
            Output.out("fom \(FomVersion.string)")
            return 0
        }
        if first == "--help" || first == "-h" {
            HelpCommand.printOverview()
            return 0
        }
        words.removeFirst()
        guard let command = CommandTable.find(first) else {
            if let hint = pm2Habits[first] {
                Output.err("fom: no \"\(first)\" command: \(hint)")
                return 2
            }
            var message = "fom: unknown command \"\(first)\""
            if let hint = NameSuggestion.closest(to: first, in: CommandTable.names) {
                message += "; did you mean \"\(hint)\"?"
            }
            Output.err(message + " (see 'fom help')")
            return 2
        }
        do {
            var args = try ArgumentSpec.common.merged(with: command.spec).scan(words, command: command.name)
            args.allowsBrokenConfig = ["list", "start", "stop", "restart", "env", "describe", "logs", "ping", "kill"]
                .contains(command.name)
            for note in args.notes { Output.err(note) }
            if args.has("--help") {
                HelpCommand.printCommand(command)
                return 0
            }
            return try command.run(args)
        } catch let error as UsageError {
            Output.err(error.message)
            return 2
        } catch let error as Failure {
            Output.err(error.located ? error.message : "fom \(command.name): \(error.message)")
            return 1
        } catch {
            Output.err("fom \(command.name): \(error)")
            return 1
        }
    }
}
