/// `fom export compose`: the instances as docker compose services on one host, without fom.
/// The shared `.env` values go to an env file of their own (the real `.env` would hand the CVAT
/// inputs to every service); secrets are never copied: each is `${KEY}`, which compose fills in
/// from the `.env` it reads when it starts (the project's, or `--env-file`).
public enum ComposeExport {
    public struct Result: Sendable {
        public var document: YAMLValue
        public var compose: String { YAMLWriter.document(document) }
        /// The text of `envFileName`, nil when no value is shared.
        public var sharedEnvFile: String?
        public var warnings: [String]
    }

    public static func render(_ plan: ExportPlan, envFileName: String) -> Result {
        var warnings = plan.warnings
        var services: [YAMLEntry] = []
        var volumes: [YAMLEntry] = []
        let healthy = Set(plan.instances.filter { $0.probe != nil }.map(\.serviceName))
        for instance in plan.instances {
            var fields: [(String, YAMLValue?)] = [
                ("image", .string(instance.image)),
                ("entrypoint", instance.command.first.map { .strings([escape($0)]) }),
                ("command", instance.command.count > 1 ? .strings(instance.command.dropFirst().map(escape)) : nil),
                ("working_dir", .string(escape(instance.workingDirectory))),
                ("env_file", plan.sharedEnvironment.isEmpty ? nil : .strings([envFileName])),
            ]
            var environment: [YAMLEntry] = []
            for variable in instance.environment {
                switch variable.value {
                case .literal(let value):
                    environment.append(YAMLEntry(variable.name, .string(escape(value))))
                case .secret(let key) where key.hasPrefix("FOM_") && !plan.sensitiveKeys.contains(key):
                    // A CVAT URL or user name of the instance's own: not a secret, written as it is.
                    let value = plan.secrets.first(where: { $0.key == key })?.value ?? ""
                    environment.append(YAMLEntry(variable.name, .string(escape(value))))
                case .secret(let key):
                    environment.append(YAMLEntry(variable.name, .string("${\(key):?\(key) is not set}")))
                    if key.hasPrefix("FOM_") {
                        warnings.append(
                            "\(instance.config.name): \(variable.name) is a secret set in supervisor.json; compose reads it from \(key) in its env file, which you must set"
                        )
                    }
                }
            }
            fields.append(("environment", environment.isEmpty ? nil : .map(environment)))
            if let port = instance.servicePort {
                let host = instance.config.address == "0.0.0.0" ? "" : instance.config.address + ":"
                fields.append(("ports", .strings(["\(host)\(port):\(port)"])))
            }
            if let probe = instance.probe {
                let readySeconds = Int(instance.config.readyTimeout.components.seconds)
                fields.append(
                    (
                        "healthcheck",
                        .object([
                            ("test", .strings(healthTest(probe, mongod: ExportPlanBuilder.isMongod(instance.config)))),
                            ("interval", .string("5s")), ("timeout", .string("3s")), ("retries", .int(3)),
                            ("start_period", .string("\(readySeconds)s")),
                        ])
                    ))
            }
            if !instance.dependsOn.isEmpty {
                fields.append(
                    (
                        "depends_on",
                        .map(
                            instance.dependsOn.map { dependency in
                                let condition = healthy.contains(dependency) ? "service_healthy" : "service_started"
                                return YAMLEntry(dependency, .object([("condition", .string(condition))]))
                            })
                    ))
            }
            fields.append(("stop_grace_period", .string(DurationText.format(instance.config.killTimeout))))
            if instance.config.stopSignal != .term {
                fields.append(("stop_signal", .string(instance.config.stopSignal.name)))
            }
            if let bytes = instance.config.maxMemory { fields.append(("mem_limit", .string(memory(bytes)))) }
            fields.append(("restart", .string(restart(instance.config))))
            if !instance.startsWithProject {
                // Like autostart false: up only when asked (`docker compose --profile manual up`).
                fields.append(("profiles", .strings(["manual"])))
            }
            if let directory = instance.dataDirectory {
                let volume = "\(instance.serviceName)-data"
                volumes.append(YAMLEntry(volume, .map([])))
                fields.append(("volumes", .strings(["\(volume):\(escape(directory))"])))
            }
            services.append(YAMLEntry(instance.serviceName, .object(fields)))
            warnings += UnmappedKeys.warnings(instance, plan: plan, target: .compose)
        }
        let document = YAMLValue.object([
            ("services", .map(services)),
            ("volumes", volumes.isEmpty ? nil : .map(volumes)),
        ])
        let envFile = plan.sharedEnvironment.isEmpty ? nil : DotEnvWriter.file(plan.sharedEnvironment)
        return Result(document: document, sharedEnvFile: envFile, warnings: warnings)
    }

    /// compose expands `$` in every string of the file: a literal one is written `$$`.
    static func escape(_ text: String) -> String {
        text.contains("$") ? String(text.flatMap { $0 == "$" ? ["$", "$"] : [$0] }) : text
    }

    static func restart(_ config: InstanceConfig) -> String {
        switch config.restart {
        case .always: "always"
        case .onFailure: "on-failure:\(config.maxRestarts)"
        case .never: "no"
        }
    }

    /// `2g`, `512m`, `64k`, or bytes: the units compose reads in `mem_limit`.
    static func memory(_ bytes: Int) -> String {
        for (suffix, size) in [("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)] where bytes % size == 0 {
            return "\(bytes / size)\(suffix)"
        }
        return "\(bytes)b"
    }

    /// The ready check run inside the container: Python's standard library in the instances'
    /// image, bash's `/dev/tcp` for mongod (MongoDB's images have no Python). Values are
    /// arguments, never part of the script.
    static func healthTest(_ probe: ExportedProbe, mongod: Bool) -> [String] {
        switch probe {
        case .http(let path, let port):
            return [
                "CMD", ExportOptions.python, "-c",
                "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)",
                escape("http://127.0.0.1:\(port)\(path)"),
            ]
        case .tcp(let port):
            if mongod {
                return ["CMD", "bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/$$1\"", "tcp-check", String(port)]
            }
            return [
                "CMD", ExportOptions.python, "-c",
                "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 3)", String(port),
            ]
        }
    }
}
