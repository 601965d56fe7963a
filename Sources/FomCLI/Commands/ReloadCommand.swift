import FomCore
import FomProtocol

/// `fom reload` (and what SIGHUP does): re-read supervisor.json and the env file and apply only
/// the difference. The files are checked here first, so a broken file is reported exactly as
/// `fom validate` reports it and the daemon is not asked at all.
enum ReloadCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom reload: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        try context.checkEnvFile()
        let dryRun = args.has("--dry-run")
        guard let client = try Client.connect(context) else {
            if dryRun {
                Output.err("fom reload: the daemon is not running; its next start reads the files as they are")
                return 0
            }
            // A daemon that starts reads the files itself: there is nothing left to apply.
            let started = try Client.connectOrStart(context, command: "reload")
            started.close()
            Output.err("fom reload: the daemon started with the files as they are now")
            return 0
        }
        defer { client.close() }
        let answer = try client.request(Request(.reload, wait: !args.has("--no-wait"), dryRun: dryRun))
        guard let report = ReloadReport(json: answer) else {
            throw Failure(answer["error"]?.stringValue ?? "the daemon gave no reload report")
        }
        if args.has("--json") {
            Output.out(report.json.serialized())
            return 0
        }
        for line in lines(report) { Output.out(line) }
        return 0
    }

    /// One line per instance that is touched, then the untouched ones on one line.
    static func lines(_ report: ReloadReport) -> [String] {
        let plan = report
        var lines: [String] = []
        let prefix = report.dryRun ? "would be " : ""
        for name in plan.added { lines.append("\(name): \(prefix)added") }
        for change in plan.changed {
            let what = change.restarts ? "restarted" : "updated in place"
            lines.append("\(change.name): \(prefix)\(what) (changed: \(change.keys.joined(separator: ", ")))")
        }
        for name in plan.removed { lines.append("\(name): \(prefix)removed (stopped)") }
        if plan.isEmpty { lines.append("nothing changed") }
        if !plan.unchanged.isEmpty { lines.append("unchanged: \(plan.unchanged.joined(separator: ", "))") }
        return lines
    }
}
