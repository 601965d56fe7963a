import FomCore
import Glibc
import SystemKit

/// `fom export kubernetes|compose`: the instances of supervisor.json and the env file as
/// Kubernetes manifests or a docker compose file. Reads the files as `validate` does and never
/// talks to the daemon. What is rewritten or cannot be expressed is reported on stderr.
enum ExportCommand {
    static let targets = ["kubernetes", "compose"]
    static let sharedEnvFileName = "fom-shared.env"

    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard let target = args.positionals.first else {
            throw UsageError("fom export: say what to export: fom export kubernetes|compose (see 'fom help export')")
        }
        guard targets.contains(target) || target == "k8s" else {
            var message = "fom export: unknown target \"\(target)\""
            if let hint = NameSuggestion.closest(to: target, in: targets) { message += "; did you mean \"\(hint)\"?" }
            throw UsageError(message + " (kubernetes or compose)")
        }
        if args.positionals.count > 1 {
            throw UsageError("fom export: unexpected argument \"\(args.positionals[1])\"")
        }
        let kubernetes = target != "compose"
        if !kubernetes {
            for flag in ["--namespace", "--no-secrets"] where args.options[flag] != nil || args.has(flag) {
                throw UsageError("fom export compose: \(flag) is for kubernetes only")
            }
        }
        let options = try exportOptions(args)
        let context = try Context.load(args)
        let input = try planInput(context, noSecrets: options.noSecrets)
        let plan: ExportPlan
        do {
            plan = try ExportPlan.build(input, options: options)
        } catch {
            throw Failure(error.message)
        }
        return kubernetes
            ? try writeKubernetes(plan, options: options, output: args.options["--output"] ?? "kubernetes")
            : try writeCompose(plan, context: context, output: args.options["--output"] ?? "compose.yaml")
    }

    static func exportOptions(_ args: ParsedArguments) throws -> ExportOptions {
        var options = ExportOptions(noSecrets: args.has("--no-secrets"))
        if let namespace = args.options["--namespace"] {
            guard ServiceName.isLabel(namespace) else {
                throw UsageError(
                    "fom export: --namespace \"\(namespace)\" is not a Kubernetes namespace name (lowercase letters, digits and '-')"
                )
            }
            options.namespace = namespace
        }
        for value in args.optionValues["--image"] ?? [] {
            guard !value.isEmpty else { throw UsageError("fom export: --image needs an image name") }
            if let eq = value.firstIndex(of: "="), !value[..<eq].contains("/"), !value[..<eq].contains(":") {
                options.images[String(value[..<eq])] = String(value[value.index(after: eq)...])
            } else {
                options.image = value
            }
        }
        for value in args.optionValues["--stateful"] ?? [] {
            for item in value.split(separator: ",").map(String.init) {
                if let eq = item.firstIndex(of: "=") {
                    options.stateful[String(item[..<eq])] = String(item[item.index(after: eq)...])
                } else {
                    options.stateful[item] = ""
                }
            }
        }
        return options
    }

    /// The env file and every instance's environment, computed as a start would (layer 1 is the
    /// environment here; the plan keeps nothing from it). With `--no-secrets` a missing CVAT input
    /// does not stop the export: its Secret key is written empty anyway.
    static func planInput(_ context: Context, noSecrets: Bool) throws -> ExportPlan.Input {
        try context.checkEnvFile()
        var entries: [DotEnvEntry] = []
        if let text = Files.readText(context.envFile) {
            entries = try DotEnv.parse(text, file: context.envFile, lookup: { context.environment[$0] })
        }
        if noSecrets {
            for name in ["CVAT_URL", "CVAT_USERNAME", "CVAT_PASSWORD"]
            where entries.last(where: { $0.key == name }).map({ $0.value.isEmpty }) ?? true {
                entries.append(DotEnvEntry(key: name, value: "(not exported)", line: 0))
            }
        }
        var environments: [String: ResolvedEnvironment] = [:]
        for (instance, id) in zip(context.config.instances, context.instanceIDs()) {
            let inputs = EnvironmentInputs(
                supervisorEnvironment: context.environment, dotenv: entries, envFilePath: context.envFile,
                isFiftyOne: instance.kind == .fiftyone, port: instance.port, address: instance.address,
                instanceEnv: instance.env.map { ($0.key, $0.value) }, cvatSync: instance.cvatSync,
                name: instance.name, id: id)
            do {
                environments[instance.name] = try EnvironmentLayers.build(inputs)
            } catch {
                throw Failure("\(error)")
            }
        }
        return ExportPlan.Input(config: context.config, dotenv: entries, environments: environments)
    }

    static func report(_ plan: ExportPlan, warnings: [String]) {
        for line in plan.rewrites { Output.err("fom export: rewrote \(line)") }
        for line in warnings { Output.err("fom export: warning: \(line)") }
    }

    static func writeKubernetes(_ plan: ExportPlan, options: ExportOptions, output: String) throws -> Int32 {
        let result = KubernetesExport.render(plan, options: options)
        do {
            try Files.makeDirectories(output)
            for file in result.files {
                // The Secret is for its owner's eyes only, like the env file it comes from.
                let mode: mode_t = file.name == "secret.yaml" ? 0o600 : 0o644
                try Files.writeAtomically(output + "/" + file.name, file.text, mode: mode)
            }
        } catch {
            throw Failure("\(output): \(error)")
        }
        report(plan, warnings: result.warnings)
        for file in result.files { Output.out(output + "/" + file.name) }
        if options.noSecrets, !plan.secrets.isEmpty {
            Output.err("fom export: secret.yaml has empty values (--no-secrets): fill them in before applying")
        }
        Output.err("fom export: apply with: kubectl apply -k \(output)")
        return 0
    }

    static func writeCompose(_ plan: ExportPlan, context: Context, output: String) throws -> Int32 {
        let directory = output.contains("/") ? Files.dirname(of: output) : "."
        let result = ComposeExport.render(plan, envFileName: sharedEnvFileName)
        let envPath = directory == "." ? sharedEnvFileName : directory + "/" + sharedEnvFileName
        do {
            if directory != "." { try Files.makeDirectories(directory) }
            try Files.writeAtomically(output, result.compose, mode: 0o644)
            if let shared = result.sharedEnvFile { try Files.writeAtomically(envPath, shared, mode: 0o644) }
        } catch {
            throw Failure("\(output): \(error)")
        }
        report(plan, warnings: result.warnings)
        Output.out(output)
        if result.sharedEnvFile != nil { Output.out(envPath) }
        Output.err(
            "fom export: start with: docker compose -f \(output) --env-file \(context.envFile) up -d (the env file fills in the secrets)"
        )
        return 0
    }
}
