import XCTest

@testable import FomCore

/// A supervisor.json text and an env file text turned into an export plan, as the command does.
struct ExportFixture {
    let config: SupervisorConfig
    let dotenv: [DotEnvEntry]
    let input: ExportPlan.Input

    static let directory = "/srv/stack"

    init(config text: String, env: String, environment: [String: String] = ["HOME": "/root", "PATH": "/usr/bin"])
        throws
    {
        config = try SupervisorConfig.parse(text: text, path: Self.directory + "/supervisor.json")
        dotenv = try DotEnv.parse(env, file: Self.directory + "/.env", lookup: { environment[$0] })
        var environments: [String: ResolvedEnvironment] = [:]
        for (id, instance) in config.instances.enumerated() {
            environments[instance.name] = try EnvironmentLayers.build(
                EnvironmentInputs(
                    supervisorEnvironment: environment, dotenv: dotenv, envFilePath: Self.directory + "/.env",
                    isFiftyOne: instance.kind == .fiftyone, port: instance.port, address: instance.address,
                    instanceEnv: instance.env.map { ($0.key, $0.value) }, cvatSync: instance.cvatSync,
                    name: instance.name, id: id))
        }
        input = ExportPlan.Input(config: config, dotenv: dotenv, environments: environments)
    }

    func plan(_ options: ExportOptions = ExportOptions()) throws -> ExportPlan {
        try ExportPlan.build(input, options: options)
    }

    func kubernetes(_ options: ExportOptions = ExportOptions()) throws -> KubernetesExport.Result {
        KubernetesExport.render(try plan(options), options: options)
    }

    func compose(_ options: ExportOptions = ExportOptions()) throws -> ComposeExport.Result {
        ComposeExport.render(try plan(options), envFileName: "fom-shared.env")
    }

    /// The repository's default supervisor.json, with the env file given.
    static func defaultConfig(env: String) throws -> ExportFixture {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("supervisor.json"), encoding: .utf8)
        return try ExportFixture(config: text, env: env)
    }
}

extension KubernetesExport.Result {
    func file(_ name: String) -> KubernetesExport.File? { files.first(where: { $0.name == name }) }

    /// The Deployment or StatefulSet of an instance (the first document of its file).
    func workload(_ service: String) -> YAMLValue? { file("\(service).yaml")?.documents.first }
}

extension YAMLValue {
    /// Follows keys and list indexes: `value.at("spec", "template", "spec", "containers", 0)`.
    func at(_ path: Any...) -> YAMLValue? {
        var current: YAMLValue? = self
        for step in path {
            if let key = step as? String {
                current = current?[key]
            } else if let index = step as? Int, case .list(let items)? = current {
                current = index < items.count ? items[index] : nil
            } else {
                return nil
            }
        }
        return current
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var items: [YAMLValue] {
        if case .list(let items) = self { return items }
        return []
    }

    var keys: [String] {
        if case .map(let entries) = self { return entries.map(\.key) }
        return []
    }
}
