import FomCore
import SystemKit

/// `fom validate`: supervisor.json, the env file and every instance's environment, checked
/// without running anything.
enum ValidateCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom validate: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        try context.checkEnvFile()
        var failures = 0
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
                    Output.err(
                        "warning: \(context.envFile) sets \(name), which fom ignores (only cvatSync hands out CVAT settings); put it in an instance's \"env\" instead"
                    )
                }
            } catch {
                Output.err("\(error)")
                failures += 1
            }
        }
        if failures > 0 { return 1 }
        let envNote =
            Files.exists(context.envFile) ? context.envFile : "\(context.envFile) (missing: no variables from it)"
        Output.out(
            "ok: \(context.config.path) (\(context.config.instances.count) instance\(context.config.instances.count == 1 ? "" : "s")), env file \(envNote)"
        )
        return 0
    }
}
