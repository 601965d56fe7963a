import FomCore

/// `fom help [COMMAND]`.
enum HelpCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard let name = args.positionals.first else {
            printOverview()
            return 0
        }
        guard let command = CommandTable.find(name) else {
            throw UsageError(
                "fom help: unknown command \"\(name)\""
                    + (NameSuggestion.closest(to: name, in: CommandTable.names).map { "; did you mean \"\($0)\"?" }
                        ?? ""))
        }
        printCommand(command)
        return 0
    }

    static func printOverview() {
        Output.out("fom: a process supervisor for FiftyOne App servers")
        Output.out("")
        Output.out("usage: fom COMMAND [ARGS] [--config PATH] [--env NAME]")
        Output.out("")
        let width = CommandTable.all.map(\.name.count).max() ?? 8
        for command in CommandTable.all {
            Output.out(
                "  " + command.name + String(repeating: " ", count: width - command.name.count + 2) + command.summary)
        }
        Output.out("")
        Output.out("Common options: --config PATH (else $FOM_CONFIG, else the nearest supervisor.json),")
        Output.out(
            "--env NAME (read .env.NAME instead of the envFile). IDs are numbers or names; 'all' means every instance.")
        Output.out(
            "--timeout DURATION: how long to wait for the daemon's answer, e.g. 2 (seconds), 500ms, 5m (default 30s;"
        )
        Output.out(
            "10m for start, stop, restart, kill); a watch stream (list --watch, monit, ui) that is silent as long gives up too."
        )
        Output.out("'fom help COMMAND' or 'fom COMMAND --help' for one command. 'fom --version' for the version.")
    }

    static func printCommand(_ command: CommandInfo) {
        Output.out("usage: \(command.usage)")
        Output.out("")
        Output.out(command.summary)
        for line in command.details { Output.out(line) }
        if !command.aliases.isEmpty {
            Output.out("Also: " + command.aliases.map { "fom \($0)" }.joined(separator: ", "))
        }
        Output.out("Common options: --config PATH, --env NAME, --help")
    }
}
