import FomCore
import FomProtocol
import SystemKit

/// `fom remove ID`: the manager's "delete instance". Takes the instance out of supervisor.json,
/// has a running daemon stop it, then deletes its log files (unless --keep-logs). Refused while
/// another instance depends on it, unless --force, which also takes it out of their dependsOn.
enum RemoveCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else {
            throw UsageError(
                args.positionals.isEmpty
                    ? "fom remove: name one instance (id or name)"
                    : "fom remove: unexpected argument \"\(args.positionals[1])\" (one instance at a time)")
        }
        let context = try Context.load(args)
        let name = try context.instance(args.positionals[0]).config.name
        let force = args.has("--force")
        let dependents = context.config.instances.filter { $0.dependsOn.contains(name) }.map(\.name)
        if !dependents.isEmpty && !force {
            let list = dependents.joined(separator: ", ")
            throw Failure(
                "\(name) is in the dependsOn of \(list); remove \(dependents.count == 1 ? "it" : "them") first, or use --force, which also takes \(name) out of their dependsOn"
            )
        }
        var change = ConfigChange("remove", context, json: args.has("--json"))
        let before = try change.snapshot()
        let (config, written) = try change.write { text in
            // Under the lock the file may have gained a dependent since it was read above.
            if force {
                for other in try text.instanceNames() where other != name {
                    try text.removeDependency(name, instance: other)
                }
            }
            try text.removeInstance(named: name)
        }
        change.summary = "removed \(name)"
        if force && !dependents.isEmpty {
            change.summary += " (and from the dependsOn of \(dependents.joined(separator: ", ")))"
        }
        let noApply = args.has("--no-apply")
        let outcome = try change.apply(written: written, noApply: noApply, before: before, config: config)
        let stillRunning = before != nil && !outcome.stopped.contains(name)
        if !args.has("--keep-logs") {
            if stillRunning {
                change.notes.append("logs kept: the daemon still runs \(name)")
            } else {
                let deleted = deleteLogs(of: name, in: context.config.logs.dir)
                if deleted > 0 {
                    change.notes.append("deleted \(deleted) log file\(deleted == 1 ? "" : "s") of \(name)")
                }
            }
        }
        change.print(file: written, outcome: outcome, instance: name)
        return outcome.failed ? 1 : 0
    }

    /// `NAME.out.log`, `NAME.err.log` and their archives (`.1` ... `.N`); returns how many went.
    static func deleteLogs(of name: String, in directory: String) -> Int {
        var deleted = 0
        for entry in Files.list(directory) {
            for stream in ["out", "err"] {
                let base = "\(name).\(stream).log"
                guard entry.hasPrefix(base) else { continue }
                let suffix = entry.dropFirst(base.count)
                let isArchive = suffix.first == "." && suffix.count > 1 && suffix.dropFirst().allSatisfy(\.isNumber)
                if suffix.isEmpty || isArchive, Files.removeFile(directory + "/" + entry) { deleted += 1 }
            }
        }
        return deleted
    }
}
