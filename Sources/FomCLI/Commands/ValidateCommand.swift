import FomCore
import FomProtocol
import FomRuntime
import SystemKit

/// `fom validate`: supervisor.json, the env file and every instance's environment, checked
/// without running anything (and without starting the daemon). Warnings (placeholders left from
/// `.env.example`, a file the running daemon has not read) leave the exit code at 0.
enum ValidateCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom validate: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        try context.checkEnvFile()
        var failures = 0
        var warnings = 0
        var warned = Set<String>()
        for (instance, id) in zip(context.config.instances, context.instanceIDs()) {
            // A missing cwd would only show at start, as a spawn failure.
            if !Files.isDirectory(instance.cwd) {
                Output.err(
                    "\(context.config.path): instance \"\(instance.name)\": cwd \(instance.cwd) is not a directory")
                failures += 1
            }
            do {
                let env = try context.nextEnvironment(instance, id: id)
                for name in env.ignoredFromEnvFile where !warned.contains(name) {
                    warned.insert(name)
                    warnings += 1
                    Output.err(
                        "warning: \(context.envFile) sets \(name), which fom ignores (only cvatSync hands out CVAT settings); put it in an instance's \"env\" instead"
                    )
                }
            } catch {
                Output.err("\(error)")
                failures += 1
            }
        }
        warnings += warnPlaceholders(context)
        // What the running daemon runs may not be what the file says now.
        if let client = try Client.connect(context) {
            defer { client.close() }
            if let answer = try? client.request(Request(.list)),
                let digest = answer["configDigest"]?.stringValue, digest != context.configDigest
            {
                warnings += 1
                Output.err("warning: \(Context.changedNote(context.config.path))")
            }
        }
        if failures > 0 { return 1 }
        let envNote =
            Files.exists(context.envFile) ? context.envFile : "\(context.envFile) (missing: no variables from it)"
        let count = context.config.instances.count
        Output.out(
            "ok: \(context.config.path) (\(count) instance\(count == 1 ? "" : "s")), env file \(envNote)"
                + (warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s") above)"))
        return 0
    }

    /// Values still left as `.env.example` (beside supervisor.json) has them, or that say they
    /// are placeholders. Names and lines only: the value of a secret is never printed.
    static func warnPlaceholders(_ context: Context) -> Int {
        let examplePath = context.config.directory + "/.env.example"
        guard examplePath != context.envFile, let text = Files.readText(context.envFile),
            let env = try? DotEnv.parse(text, file: context.envFile, lookup: { context.environment[$0] })
        else { return 0 }
        let example =
            Files.readText(examplePath).flatMap {
                try? DotEnv.parse($0, file: examplePath, lookup: { context.environment[$0] })
            } ?? []
        let findings = PlaceholderCheck.findings(env: env, example: example)
        for finding in findings {
            Output.err(
                "warning: \(context.envFile):\(finding.line): \(finding.key) is still a placeholder (as in .env.example); put the real value there"
            )
        }
        return findings.count
    }
}
