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
                "dependents first, and exit 0. SIGHUP reloads (as 'fom reload'). Events also go to stderr,",
                "except with --background (how other commands start it: events in fom.log only).",
            ],
            // --handover, --previous-binary, --refused and --handover-probe are internal to
            // 'fom upgrade'; --hold runs the descriptor holder the daemon starts.
            spec: ArgumentSpec(
                flags: ["--background", "--handover-probe"], options: ["--handover", "--previous-binary", "--refused", "--hold"]),
            run: DaemonCommand.run),
        CommandInfo(
            name: "upgrade", aliases: [], usage: "fom upgrade [--binary PATH]",
            summary: "replace the daemon's binary in place: same pid, every instance keeps running",
            details: [
                "Once no client waits for an answer, the daemon hands its whole state to the new binary",
                "(default: its own executable path, so replacing the file and running 'fom upgrade' is the",
                "whole procedure) and execs it. No instance is stopped, no log line is lost. A binary that",
                "cannot take the state hands it back to the previous one: exit 1, with the reason. A program",
                "that is not a fom able to take the state (asked first with a probe) is refused before the exec.",
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
            name: "list", aliases: ["ls", "status"], usage: "fom list [--json] [--watch]",
            summary: "table of instances: id, name, kind, status, pid, uptime, restarts, cpu, memory, port, cvat, url",
            details: [
                "Without a daemon it shows the instances stopped (orphaned: a process of the last run that",
                "still runs, which the next daemon adopts or stops) and never starts one.",
                "cpu: percent of one core used by the whole process tree since the daemon's previous sample",
                "('-' until a second sample of the run exists); memory: resident memory of the whole tree.",
                "--watch prints the table again on each change, from the daemon's watch stream.",
            ],
            spec: ArgumentSpec(flags: ["--json", "--watch"]), run: ListCommand.run),
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
            name: "logs", aliases: [],
            usage: "fom logs [ID|NAME] [-n N] [-f] [--out|--err] [--since 10m] [--grep TEXT]",
            summary: "the last N lines (default 20) of an instance's stdout and stderr, or of everything",
            details: [
                "-f follows live, across rotations and restarts, until interrupted.",
                "With timestamps on (\"logs\": {\"timestamps\": true}), stdout, stderr and fom's events",
                "come out as one stream in time order, and -n counts lines of that stream.",
                "--since 10m: only lines written in the last 10 minutes (needs timestamps); also 90s, 1h30m,",
                "2d, or a time in UTC as the logs show it: 2026-12-07T05:30:54Z, 2026-12-07 05:30, 2026-12-07.",
                "--grep TEXT: only lines containing TEXT (ignoring case unless TEXT has capitals).",
            ],
            spec: ArgumentSpec(
                flags: ["--follow", "--out", "--err"], options: ["--lines", "--since", "--grep"],
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
            name: "add", aliases: [],
            usage:
                "fom add NAME --port P [--cvat-sync] [--database NAME] [--env K=V ...] [--depends-on X ...] [--no-autostart] [--no-apply] [--json]\n       fom add NAME --kind process [--port P] [...] -- COMMAND [ARG...]",
            summary: "add an instance to supervisor.json and have a running daemon start it",
            details: [
                "A fiftyone instance gets what the default file gives annotate and review: dependsOn",
                "the file's MongoDB (when it has exactly one), FIFTYONE_DATABASE_URI pointing at it and",
                "FIFTYONE_DATABASE_NAME (--database, default the instance's name).",
                "--env K=V sets a variable (--env NAME without '=' still selects .env.NAME).",
                "The file is checked as 'fom validate' checks it before it is written (atomically);",
                "--no-apply only writes it. Without a daemon nothing starts.",
            ],
            spec: ArgumentSpec(
                flags: ["--cvat-sync", "--no-autostart", "--no-apply", "--json"],
                options: ["--port", "--kind", "--database", "--depends-on"], allowsPassthrough: true,
                hintsPassthroughForUnknownFlags: false), run: AddCommand.run),
        CommandInfo(
            name: "edit", aliases: [],
            usage:
                "fom edit ID|NAME [--cvat-sync on|off] [--port P] [--env K=V ...] [--unset-env K ...] [--autostart on|off] [--set KEY=JSON ...] [--unset KEY ...] [--no-apply] [--json]",
            summary: "change an instance in supervisor.json (the CVAT Sync checkbox) and apply it",
            details: [
                "Only that instance's lines change; every other line stays as it was. A running daemon",
                "restarts the instance with its environment computed afresh:",
                "  fom edit review --cvat-sync on && fom env review | grep CVAT",
                "--set takes any key of the file with a JSON value (a value that is not JSON is a string):",
                "  --set 'ready={\"tcp\": 8080}' --set restart=never --set maxMemory=2G",
                "A change that would make the file invalid is refused with validate's error.",
            ],
            spec: ArgumentSpec(
                flags: ["--no-apply", "--json"],
                options: ["--cvat-sync", "--port", "--unset-env", "--autostart", "--set", "--unset"]),
            run: EditCommand.run),
        CommandInfo(
            name: "remove", aliases: [], usage: "fom remove ID|NAME [--keep-logs] [--force] [--no-apply] [--json]",
            summary: "remove an instance from supervisor.json; a running daemon stops it; its logs are deleted",
            details: [
                "Refused while another instance depends on it; --force also takes it out of their dependsOn.",
                "--keep-logs keeps its log files.",
            ],
            spec: ArgumentSpec(flags: ["--keep-logs", "--force", "--no-apply", "--json"]), run: RemoveCommand.run),
        CommandInfo(
            name: "validate", aliases: [], usage: "fom validate",
            summary: "check supervisor.json and the env file without running anything",
            details: [], spec: ArgumentSpec(), run: ValidateCommand.run),
        CommandInfo(
            name: "export", aliases: [],
            usage:
                "fom export kubernetes [--namespace NS] [--image IMAGE] [-o DIR] [--stateful NAME[=DIR] ...] [--no-secrets] | fom export compose [--image IMAGE] [-o FILE]",
            summary: "the instances as Kubernetes manifests (with a kustomization) or a docker compose file",
            details: [
                "kubernetes: a Deployment and a Service per instance (a StatefulSet for mongod and --stateful),",
                "probes from ready, dependsOn as init containers, the shared .env in a ConfigMap, the CVAT",
                "inputs in a Secret referenced only by cvatSync instances. -o DIR (default ./kubernetes).",
                "compose: services with healthchecks and depends_on, compose.yaml and fom-shared.env (-o FILE).",
                "--image IMAGE for every instance (default fom-fiftyone:1.22.1), --image NAME=IMAGE for one.",
                "--image NAME=IMAGE and --stateful repeat (or take NAME,NAME); see the README for the mapping.",
                "Rewrites (127.0.0.1:PORT of another instance -> its service) and keys with no",
                "equivalent are reported on stderr. Never starts the daemon.",
            ],
            spec: ArgumentSpec(
                flags: ["--no-secrets"], options: ["--namespace", "--image", "--output", "--stateful"],
                aliases: ["-o": "--output"]), run: ExportCommand.run),
        CommandInfo(
            name: "doctor", aliases: [], usage: "fom doctor [ID|NAME|all] [--json]",
            summary: "the CVAT troubleshooting list, automated: env file, restart needed, server, login, FiftyOne",
            details: [
                "One line per check, ✓ ! ✗ (ok warn FAIL when not on a terminal), with a fix under each ✗.",
                "Exit 0 when nothing failed. Never starts the daemon; never prints the password.",
            ],
            spec: ArgumentSpec(flags: ["--json"]), run: DoctorCommand.run),
        CommandInfo(
            name: "ping", aliases: [], usage: "fom ping",
            summary: "is the daemon alive? (starts it when it is not)",
            details: [
                "A daemon that starts adopts what the last run left running (same pid, no restart), stops",
                "what it cannot adopt, then starts what is wanted up.",
            ], spec: ArgumentSpec(flags: ["--json"]), run: DaemonCommand.ping),
        CommandInfo(
            name: "kill", aliases: [], usage: "fom kill",
            summary: "stop every instance, dependents first, then the daemon",
            details: [
                "What was wanted up comes back at the next start of the daemon.",
                "Without a daemon it stops what a daemon that died left running, and its descriptor holder.",
            ],
            spec: ArgumentSpec(), run: DaemonCommand.kill),
        CommandInfo(
            name: "monit", aliases: [], usage: "fom monit",
            summary: "live view of every instance (status, pid, cpu, memory, restarts, uptime, port) and logs",
            details: [
                "The selected instance's last log lines follow below. Arrow keys or j/k select, r restarts",
                "the selected instance (after y to confirm), q or Ctrl-C quits. Without a terminal it",
                "prints one snapshot and exits.",
            ],
            spec: ArgumentSpec(), run: MonitCommand.run),
        CommandInfo(
            name: "startup", aliases: [], usage: "fom startup [--install] [--user NAME]",
            summary: "print (or --install) a systemd unit that runs 'fom daemon' for this config at boot",
            details: [
                "The unit is fom-DIR.service, DIR being the name of supervisor.json's directory.",
                "--install writes it to /etc/systemd/system, runs systemctl daemon-reload and enable.",
                "--user NAME makes it a user unit of NAME (~NAME/.config/systemd/user, systemctl --user);",
                "it then starts at boot only with 'loginctl enable-linger NAME'.",
            ],
            spec: ArgumentSpec(flags: ["--install"], options: ["--user"]), run: StartupCommand.run),
        CommandInfo(
            name: "ui", aliases: [], usage: "fom ui [--address 127.0.0.1] [--port 9001] [--open]",
            summary: "the web dashboard: instances live, start/stop/restart, CVAT Sync, add, logs, /metrics",
            details: [
                "Runs in the foreground as a client of the daemon and prints the URL with a fresh token.",
                "Binds 127.0.0.1 unless --address says otherwise; --port 0 takes a free port.",
                "--open opens the URL with xdg-open.",
            ],
            spec: ArgumentSpec(flags: ["--open"], options: ["--address", "--port"]), run: UICommand.run),
        CommandInfo(
            name: "help", aliases: [], usage: "fom help [COMMAND]",
            summary: "this help, or one command's", details: [], spec: ArgumentSpec(), run: HelpCommand.run),
    ]

    static func find(_ name: String) -> CommandInfo? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }
}
