import FomCore
import FomDaemon
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// What `add`, `edit` and `remove` share: the read-modify-write of supervisor.json under a lock,
/// checked by the loader `validate` uses and written atomically, then the change applied by a
/// running daemon's `reload`, waiting until what it restarted or started has settled.
struct ConfigChange {
    let command: String
    let context: Context
    let json: Bool
    /// What the user asked to change, for the output (never a value that may be a secret).
    var summary = ""
    var notes: [String] = []

    init(_ command: String, _ context: Context, json: Bool) {
        self.command = command
        self.context = context
        self.json = json
    }

    /// Held around every read-modify-write of supervisor.json, so two edits at once never lose one.
    var lockFile: String { context.runtime.path + "/config.lock" }

    /// `--env` is both the env file selector of every command (`--env dev`) and, for add and
    /// edit, a variable (`--env K=V`): a value with `=` is a variable. The selector is put back
    /// for `Context.load`; the variables are returned in order.
    static func splitEnvOption(_ args: inout ParsedArguments, command: String) throws -> [(key: String, value: String)]
    {
        var variables: [(key: String, value: String)] = []
        var fileNames: [String] = []
        for value in args.values("--env") {
            guard let eq = value.firstIndex(of: "=") else {
                fileNames.append(value)
                continue
            }
            let key = String(value[..<eq])
            guard !key.isEmpty else { throw UsageError("fom \(command): --env takes KEY=VALUE, not \"\(value)\"") }
            variables.append((key, String(value[value.index(after: eq)...])))
        }
        args.options["--env"] = fileNames.last
        return variables
    }

    // MARK: writing

    /// Under the lock: reads the file as it is now, applies `edit` to its text, checks the result
    /// as `fom validate` would, and writes it atomically. A result that does not load is refused
    /// with validate's own lines, and the file is not touched. Returns the new configuration and
    /// whether the text changed.
    func write(_ edit: (inout ConfigText) throws -> Void) throws -> (config: SupervisorConfig, written: Bool) {
        let path = context.config.path
        do {
            try context.runtime.prepare()
        } catch {
            throw Failure("\(error)")
        }
        return try FileLock.withExclusive(lockFile) { () throws -> (config: SupervisorConfig, written: Bool) in
            guard let bytes = Files.readBytes(path) else { throw Failure("\(path): cannot read the file") }
            // Read leniently, bytes that are not UTF-8 would be written back changed.
            guard let old = String(validating: bytes, as: UTF8.self) else {
                throw Failure("\(path): not valid UTF-8; fix the file by hand first (it is unchanged)")
            }
            var text = ConfigText(old)
            do {
                try edit(&text)
            } catch let error as ConfigEditError {
                throw Failure("\(path): \(error.message)")
            }
            let config: SupervisorConfig
            do throws(ConfigError) {
                config = try SupervisorConfig.parse(
                    text: text.text, path: path,
                    runtimeDirectory: context.environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 })
            } catch {
                let lines = Context.located(error, cwd: Files.currentDirectory())
                throw Failure(lines + "\nfom \(command): refused; \(path) is unchanged", located: true)
            }
            guard text.text != old else { return (config, false) }
            do {
                try Files.replaceContents(of: path, with: text.text)
            } catch {
                throw Failure("\(error)")
            }
            return (config, true)
        }
    }

    // MARK: applying

    /// The daemon's rows before the change, by name; nil when no daemon runs. A daemon that does
    /// not answer is an error now, before the file is written, not after.
    func snapshot() throws -> [String: InstanceInfo]? {
        guard let client = try Client.connect(context) else { return nil }
        defer { client.close() }
        let answer = try client.request(Request(.list))
        let rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
        return Dictionary(rows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// What happened after the file was written.
    struct Outcome {
        var report: ReloadReport?
        /// The rows of what was added or changed, once settled.
        var rows: [InstanceInfo] = []
        /// Changed instances that ran, so the reload restarted them.
        var restarted: [String] = []
        /// Removed instances the daemon no longer runs.
        var stopped: [String] = []
        var failed = false
    }

    /// Asks a running daemon to reload (unless `noApply`) and waits until what it restarted,
    /// started or stopped has settled. Says so when no daemon runs: then nothing starts.
    func apply(
        written: Bool, noApply: Bool, before: [String: InstanceInfo]?, config: SupervisorConfig
    ) throws -> Outcome {
        var outcome = Outcome()
        let running = try before != nil || Client.isDaemonRunning(context)
        if noApply {
            if running && written {
                note("--no-apply: the daemon still runs the previous version of the file; 'fom reload' applies it")
            }
            return outcome
        }
        guard running, let client = try Client.connect(context) else {
            if written {
                note(
                    command == "remove"
                        ? "the daemon is not running: only the file changed"
                        : "the daemon is not running: only the file changed, nothing was started ('fom start' starts it)"
                )
            }
            return outcome
        }
        let answer: JSONValue
        do {
            defer { client.close() }
            answer = try client.request(Request(.reload))
        } catch let error as Failure {
            let what = written ? "the file is written, but the daemon did not apply it" : "the daemon did not reload"
            throw Failure("\(what): \(error.message)")
        }
        guard let report = ReloadReport(json: answer) else {
            throw Failure("the daemon's answer to reload is not a report: \(answer.serialized())")
        }
        outcome.report = report
        try settle(report, before: before ?? [:], config: config, into: &outcome)
        return outcome
    }

    /// Polls the daemon's list until each instance the reload touched is where it goes: a
    /// restarted one has a new process that is online (or failed), an added one is online (or
    /// failed), a removed one is gone. An instance the daemon leaves as it was (a changed one
    /// that was not running) is not waited for.
    private func settle(
        _ report: ReloadReport, before: [String: InstanceInfo], config: SupervisorConfig, into outcome: inout Outcome
    ) throws {
        let settled: Set<InstanceStatus> = [.online, .errored, .exited, .backoff]
        var waiting: [String: (InstanceInfo?) -> Bool] = [:]
        var budget: Duration = .seconds(5)
        // A daemon that chose not to start or restart something shows no change for a while.
        let grace = Clock.monotonicNanoseconds() + 2_000_000_000
        func patient() -> Bool { Clock.monotonicNanoseconds() < grace }
        for change in report.changed {
            let instance = config.instance(named: change.name)
            budget = max(budget, (instance?.killTimeout ?? .seconds(15)) + (instance?.readyTimeout ?? .seconds(60)))
            guard change.restarts, let old = before[change.name], old.pid != nil else { continue }
            outcome.restarted.append(change.name)
            waiting[change.name] = { row in
                guard let row else { return true }
                if row.pid == old.pid { return row.status == .online && !patient() }
                return settled.contains(row.status) || (row.status == .stopped && !patient())
            }
        }
        for name in report.added {
            guard let instance = config.instance(named: name), instance.autostart else { continue }
            budget = max(budget, instance.readyTimeout + .seconds(5))
            waiting[name] = { row in
                guard let row else { return !patient() }
                return settled.contains(row.status) || (row.status == .stopped && !patient())
            }
        }
        for name in report.removed {
            budget = max(budget, (context.config.instance(named: name)?.killTimeout ?? .seconds(15)) + .seconds(5))
            waiting[name] = { $0 == nil }
        }
        let deadline = Clock.monotonicNanoseconds() + Int64(budget.components.seconds) * 1_000_000_000
        var rows: [String: InstanceInfo] = [:]
        while true {
            rows = try snapshot() ?? [:]
            if waiting.allSatisfy({ $0.value(rows[$0.key]) }) || Clock.monotonicNanoseconds() > deadline { break }
            usleep(50_000)
        }
        outcome.stopped = report.removed.filter { rows[$0] == nil }
        for name in report.added + report.changed.map(\.name) {
            guard let row = rows[name] else { continue }
            outcome.rows.append(row)
            if waiting[name] != nil, row.status != .online { outcome.failed = true }
        }
    }

    // MARK: output

    func note(_ message: String) {
        Output.err("fom \(command): \(message)")
    }

    /// What was written, then what the daemon did: as lines, or as one JSON object.
    func print(file written: Bool, outcome: Outcome, instance: String) {
        let path = context.config.path
        if json {
            var object = JSONObject()
            object["file"] = .string(path)
            object["written"] = .bool(written)
            object["instance"] = .string(instance)
            object["summary"] = .string(summary)
            object["notes"] = .array(notes.map { .string($0) })
            object["reload"] = outcome.report?.json ?? .null
            object["instances"] = .array(outcome.rows.map(\.json))
            Output.out(JSONValue.object(object).serialized())
            return
        }
        Output.out(written ? "wrote \(path): \(summary)" : "\(path) already says so: \(summary)")
        for line in notes { Output.out("  \(line)") }
        guard let report = outcome.report else { return }
        for name in report.added { Output.out("reload: added \(name)") }
        for change in report.changed {
            let keys = change.keys.isEmpty ? "" : " (\(change.keys.joined(separator: ", ")))"
            if !change.restarts {
                Output.out("reload: updated \(change.name) in place\(keys)")
            } else {
                Output.out(
                    "reload: \(outcome.restarted.contains(change.name) ? "restarted" : "changed") \(change.name)\(keys)"
                )
            }
        }
        for name in report.removed {
            Output.out("reload: removed \(name)\(outcome.stopped.contains(name) ? " (stopped)" : "")")
        }
        if !report.unchanged.isEmpty { Output.out("reload: unchanged \(report.unchanged.joined(separator: ", "))") }
        if !outcome.rows.isEmpty { ListCommand.printTable(outcome.rows) }
        for row in outcome.rows where row.status == .errored || row.status == .backoff || row.status == .exited {
            var message = "fom \(command): \(row.name) is \(row.status)"
            if let reason = row.reason {
                message += ": \(reason)"
            } else if let exit = row.lastExit {
                message += " (last: \(exit))"
            }
            Output.err(message)
        }
    }

    /// Warns when an instance the change touched could not start as the files are now (cvatSync
    /// on without the CVAT credentials in the env file): the file is fine, the start would fail.
    func warnIfCannotStart(_ name: String, in config: SupervisorConfig) {
        guard let instance = config.instance(named: name) else { return }
        var state = context.runtime.readState()
        let ids = state.ids.assign(config.instances.map(\.name))
        guard let index = config.instances.firstIndex(where: { $0.name == name }) else { return }
        do {
            _ = try InstanceEnvironment.compute(
                instance, id: ids[index], envFile: context.envFile, supervisorEnvironment: context.environment)
        } catch {
            note("warning: \(error)")
        }
    }
}
