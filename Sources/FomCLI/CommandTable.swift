/// Every command with its usage, summary and flags: the source of `fom help` and of the
/// scanner's rules, so the two cannot disagree.
struct CommandInfo: Sendable {
    let name: String
    let aliases: [String]
    let usage: String
    let summary: String
    let details: [String]
    let spec: ArgumentSpec
    let run: @Sendable (ParsedArguments) throws -> Int32
}

enum CommandTable {
    static let all: [CommandInfo] = [
        CommandInfo(
            name: "daemon", aliases: [], usage: "fom daemon",
            summary: "run the supervisor in the foreground (container entrypoint, systemd Type=simple)",
            details: [
                "Safe as PID 1: it reaps every zombie. SIGTERM or SIGINT stop every instance,",
                "dependents first, and exit 0. SIGHUP reloads (as 'fom reload'). Events also go to stderr.",
            ],
            // --handover, --previous-binary and --refused are internal to 'fom upgrade'; --hold
            // runs the descriptor holder the daemon starts.
            spec: ArgumentSpec(options: ["--handover", "--previous-binary", "--refused", "--hold"]),
            run: DaemonCommand.run),
        CommandInfo(
            name: "upgrade", aliases: [], usage: "fom upgrade [--binary PATH]",
            summary: "replace the daemon's binary in place: same pid, every instance keeps running",
            details: [
                "Once no client waits for an answer, the daemon hands its whole state to the new binary",
                "(default: its own executable path, so replacing the file and running 'fom upgrade' is the",
                "whole procedure) and execs it. No instance is stopped, no log line is lost. A binary that",
                "cannot take the state hands it back to the previous one: exit 1, with the reason.",
            ],
            spec: ArgumentSpec(options: ["--binary"]), run: UpgradeCommand.run),
        CommandInfo(
            name: "start", aliases: [], usage: "fom start [ID|NAME|all ...] [--no-wait]",
            summary: "start instances (default: every autostart instance) and their dependencies",
            details: [
                "Waits until each is online (or gives up), then prints the table.",
                "Starts the daemon in the background when it is not running.",
            ],
            spec: ArgumentSpec(flags: ["--no-wait", "--json"]), run: LifecycleCommand.start),
        CommandInfo(
            name: "stop", aliases: [], usage: "fom stop ID|NAME|all ... [--no-wait]",
            summary: "stop instances: stop signal, then SIGKILL to the whole tree after killTimeout",
            details: ["A stopped instance stays stopped across daemon restarts."],
            spec: ArgumentSpec(flags: ["--no-wait", "--json"]), run: LifecycleCommand.stop),
        CommandInfo(
            name: "restart", aliases: [], usage: "fom restart ID|NAME|all ... [--no-wait]",
            summary: "stop then start instances, with the environment computed afresh from the files",
            details: [], spec: ArgumentSpec(flags: ["--no-wait", "--json"]), run: LifecycleCommand.restart),
        CommandInfo(
            name: "reload", aliases: [], usage: "fom reload [--dry-run] [--no-wait] [--json]",
            summary: "re-read supervisor.json and the env file; apply only the difference",
            details: [
                "Removed instances stop (dependents first), changed ones restart in dependency order,",
                "added ones start (autostart); every other instance keeps running with the same pid.",
                "A file that does not validate changes nothing. SIGHUP to the daemon does the same.",
                "--dry-run prints what would change and does nothing.",
            ],
            spec: ArgumentSpec(flags: ["--dry-run", "--no-wait", "--json"]), run: ReloadCommand.run),
        CommandInfo(
            name: "list", aliases: ["ls", "status"], usage: "fom list [--json]",
            summary: "table of instances: id, name, kind, status, pid, uptime, restarts, port, cvat",
            details: ["Without a daemon it shows the instances stopped and never starts one."],
            spec: ArgumentSpec(flags: ["--json"]), run: ListCommand.run),
        CommandInfo(
            name: "describe", aliases: [], usage: "fom describe ID|NAME [--json]",
            summary: "everything about one instance: command, cwd, env sources, logs, ready check, last exit",
            details: [], spec: ArgumentSpec(flags: ["--json"]), run: DescribeCommand.run),
        CommandInfo(
            name: "env", aliases: [], usage: "fom env ID|NAME [--reveal] [--json]",
            summary: "the environment of the running process (from /proc), secrets masked unless --reveal",
            details: [
                "When the instance is not running: the environment its next start would get (said on",
                "stderr). When the files changed since it started: a warning naming what differs.",
            ],
            spec: ArgumentSpec(flags: ["--reveal", "--json"]), run: EnvCommand.run),
        CommandInfo(
            name: "logs", aliases: [], usage: "fom logs [ID|NAME] [-n N] [-f] [--out|--err]",
            summary: "the last N lines (default 20) of an instance's stdout and stderr, or of everything",
            details: ["-f follows live, across rotations and restarts, until interrupted."],
            spec: ArgumentSpec(
                flags: ["--follow", "--out", "--err"], options: ["--lines"],
                aliases: ["-f": "--follow", "-n": "--lines"]), run: LogsCommand.run),
        CommandInfo(
            name: "flush", aliases: [], usage: "fom flush [ID|NAME]",
            summary: "empty the log files of an instance, or of every instance",
            details: [], spec: ArgumentSpec(), run: LogsCommand.flush),
        CommandInfo(
            name: "exec", aliases: [], usage: "fom exec ID|NAME -- COMMAND [ARG...]",
            summary: "run a command with exactly the environment and working directory of an instance",
            details: [
                "How to run the annotation workflow's Python steps against an instance:",
                "  fom exec annotate -- .venv/bin/python examples/cvat_annotation_example.py create ...",
            ],
            spec: ArgumentSpec(allowsPassthrough: true), run: ExecCommand.run),
        CommandInfo(
            name: "validate", aliases: [], usage: "fom validate",
            summary: "check supervisor.json and the env file without running anything",
            details: [], spec: ArgumentSpec(), run: ValidateCommand.run),
        CommandInfo(
            name: "ping", aliases: [], usage: "fom ping",
            summary: "is the daemon alive? (starts it when it is not)",
            details: [], spec: ArgumentSpec(flags: ["--json"]), run: DaemonCommand.ping),
        CommandInfo(
            name: "kill", aliases: [], usage: "fom kill",
            summary: "stop every instance, dependents first, then the daemon",
            details: ["What was wanted up comes back at the next start of the daemon."],
            spec: ArgumentSpec(), run: DaemonCommand.kill),
        CommandInfo(
            name: "help", aliases: [], usage: "fom help [COMMAND]",
            summary: "this help, or one command's", details: [], spec: ArgumentSpec(), run: HelpCommand.run),
    ]

    static func find(_ name: String) -> CommandInfo? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }
}
