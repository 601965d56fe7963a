/// `fom export kubernetes`: one file per instance (its Deployment or StatefulSet, and its
/// Service), the ConfigMap of the shared `.env` values, the Secret, and a kustomization.yaml.
public enum KubernetesExport {
    public static let configMapName = "fom-env"
    public static let secretName = "fom-secrets"
    static let nameLabel = "app.kubernetes.io/name"

    public struct File: Sendable, Equatable {
        public var name: String
        public var documents: [YAMLValue]
        public var text: String { YAMLWriter.documents(documents) }
    }

    public struct Result: Sendable {
        /// kustomization.yaml last; it lists the others.
        public var files: [File]
        public var warnings: [String]
    }

    public static func render(_ plan: ExportPlan, options: ExportOptions) -> Result {
        var files: [File] = []
        var warnings = plan.warnings
        if let namespace = options.namespace {
            files.append(
                File(
                    name: "namespace.yaml",
                    documents: [
                        .object([
                            ("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                            ("metadata", .object([("name", .string(namespace))])),
                        ])
                    ]))
        }
        if !plan.sharedEnvironment.isEmpty {
            let data = YAMLValue.map(plan.sharedEnvironment.map { YAMLEntry($0.key, .string($0.value)) })
            files.append(
                File(
                    name: "configmap.yaml",
                    documents: [
                        .object([
                            ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                            ("metadata", metadata(configMapName, options)), ("data", data),
                        ])
                    ]))
        }
        if !plan.secrets.isEmpty {
            let data = YAMLValue.map(
                plan.secrets.map { YAMLEntry($0.key, .string(plan.secretValue($0.key, options: options))) })
            files.append(
                File(
                    name: "secret.yaml",
                    documents: [
                        .object([
                            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                            ("metadata", metadata(secretName, options)), ("type", .string("Opaque")),
                            ("stringData", data),
                        ])
                    ]))
        }
        for instance in plan.instances {
            var documents = [workload(instance, plan: plan, options: options)]
            if let port = instance.servicePort { documents.append(service(instance, port: port, options: options)) }
            files.append(File(name: "\(instance.serviceName).yaml", documents: documents))
            warnings += UnmappedKeys.warnings(instance, plan: plan, target: .kubernetes)
        }
        let kustomization = YAMLValue.object([
            ("apiVersion", .string("kustomize.config.k8s.io/v1beta1")), ("kind", .string("Kustomization")),
            ("namespace", options.namespace.map { .string($0) }),
            ("resources", .strings(files.map(\.name))),
        ])
        files.append(File(name: "kustomization.yaml", documents: [kustomization]))
        return Result(files: files, warnings: warnings)
    }

    static func metadata(_ name: String, _ options: ExportOptions, labels: YAMLValue? = nil) -> YAMLValue {
        .object([
            ("name", .string(name)), ("namespace", options.namespace.map { .string($0) }), ("labels", labels),
        ])
    }

    static func labels(_ instance: ExportedInstance) -> YAMLValue {
        .object([(nameLabel, .string(instance.serviceName))])
    }

    static func workload(_ instance: ExportedInstance, plan: ExportPlan, options: ExportOptions) -> YAMLValue {
        let stateful = instance.dataDirectory != nil
        let replicas = instance.startsWithProject ? 1 : 0
        let template = YAMLValue.object([
            ("metadata", .object([("labels", labels(instance))])),
            ("spec", podSpec(instance, plan: plan)),
        ])
        var spec: [(String, YAMLValue?)] = [
            ("replicas", .int(replicas)),
            ("selector", .object([("matchLabels", labels(instance))])),
        ]
        if stateful { spec.append(("serviceName", .string(instance.serviceName))) }
        spec.append(("template", template))
        if stateful {
            spec.append(
                (
                    "volumeClaimTemplates",
                    .list([
                        .object([
                            ("metadata", .object([("name", .string("data"))])),
                            (
                                "spec",
                                .object([
                                    ("accessModes", .strings(["ReadWriteOnce"])),
                                    (
                                        "resources",
                                        .object([("requests", .object([("storage", .string(ExportOptions.storage))]))])
                                    ),
                                ])
                            ),
                        ])
                    ])
                ))
        }
        return .object([
            ("apiVersion", .string("apps/v1")), ("kind", .string(stateful ? "StatefulSet" : "Deployment")),
            ("metadata", metadata(instance.serviceName, options, labels: labels(instance))),
            ("spec", .object(spec)),
        ])
    }

    static func podSpec(_ instance: ExportedInstance, plan: ExportPlan) -> YAMLValue {
        // Init containers run one after the other, in this order: the dependencies' start order.
        let waits: [YAMLValue] = instance.dependsOn.compactMap { dependency in
            guard let port = plan.instances.first(where: { $0.serviceName == dependency })?.servicePort else {
                return nil
            }
            return .object([
                ("name", .string(ServiceName.from("wait-for-\(dependency)"))),
                ("image", .string(ExportOptions.waitImage)),
                // A Service routes only to ready pods: a connection means the dependency is ready.
                (
                    "command",
                    .strings(
                        [
                            "sh", "-c",
                            "until nc -z -w 2 \"$0\" \"$1\"; do echo \"waiting for $0:$1\"; sleep 2; done",
                            dependency, String(port),
                        ].map(escape))
                ),
            ])
        }
        let seconds = instance.config.killTimeout.components
        let grace = Int(seconds.seconds) + (seconds.attoseconds > 0 ? 1 : 0)
        return .object([
            ("enableServiceLinks", .bool(false)),
            ("terminationGracePeriodSeconds", .int(grace)),
            ("initContainers", waits.isEmpty ? nil : .list(waits)),
            ("containers", .list([container(instance, plan: plan)])),
        ])
    }

    static func container(_ instance: ExportedInstance, plan: ExportPlan) -> YAMLValue {
        var ports: [Int] = []
        for port in [instance.config.port, ExportPlanBuilder.readyPort(instance.config)].compactMap({ $0 })
        where !ports.contains(port) {
            ports.append(port)
        }
        let env: [YAMLValue] = instance.environment.map { variable in
            switch variable.value {
            case .literal(let value):
                return .object([("name", .string(variable.name)), ("value", .string(escape(value)))])
            case .secret(let key):
                return .object([
                    ("name", .string(variable.name)),
                    (
                        "valueFrom",
                        .object([
                            ("secretKeyRef", .object([("name", .string(secretName)), ("key", .string(key))]))
                        ])
                    ),
                ])
            }
        }
        var probes: [(String, YAMLValue?)] = []
        if let probe = instance.probe {
            let startupPeriod = 2
            let readyTimeout = Int(instance.config.readyTimeout.components.seconds)
            probes = [
                (
                    "startupProbe",
                    probeValue(
                        probe, period: startupPeriod,
                        failures: max(1, (readyTimeout + startupPeriod - 1) / startupPeriod))
                ),
                ("readinessProbe", probeValue(probe, period: 5, failures: 3)),
                ("livenessProbe", probeValue(probe, period: 10, failures: 6)),
            ]
        }
        let memory = instance.config.maxMemory.map {
            YAMLValue.object([("limits", .object([("memory", .string(quantity($0)))]))])
        }
        let mounts: YAMLValue? = instance.dataDirectory.map {
            .list([.object([("name", .string("data")), ("mountPath", .string($0))])])
        }
        let envFrom: YAMLValue? =
            plan.sharedEnvironment.isEmpty
            ? nil : .list([.object([("configMapRef", .object([("name", .string(configMapName))]))])])
        var fields: [(String, YAMLValue?)] = [
            ("name", .string(instance.serviceName)),
            ("image", .string(instance.image)),
            ("command", instance.command.first.map { .strings([escape($0)]) }),
            ("args", instance.command.count > 1 ? .strings(instance.command.dropFirst().map(escape)) : nil),
            ("workingDir", .string(instance.workingDirectory)),
            ("ports", ports.isEmpty ? nil : .list(ports.map { .object([("containerPort", .int($0))]) })),
            ("envFrom", envFrom),
            ("env", env.isEmpty ? nil : .list(env)),
        ]
        fields += probes
        fields += [("resources", memory), ("volumeMounts", mounts)]
        return .object(fields)
    }

    /// Kubernetes expands `$(NAME)` in `command`, `args` and `env` values and reads `$$` as `$`:
    /// every literal `$` is written `$$`, so that a value arrives exactly as fom would pass it.
    static func escape(_ text: String) -> String {
        text.contains("$") ? String(text.flatMap { $0 == "$" ? ["$", "$"] : [$0] }) : text
    }

    static func probeValue(_ probe: ExportedProbe, period: Int, failures: Int) -> YAMLValue {
        let check: (String, YAMLValue)
        switch probe {
        case .http(let path, let port):
            check = ("httpGet", .object([("path", .string(path)), ("port", .int(port))]))
        case .tcp(let port):
            check = ("tcpSocket", .object([("port", .int(port))]))
        }
        return .object([
            check, ("periodSeconds", .int(period)), ("timeoutSeconds", .int(min(period, 5))),
            ("failureThreshold", .int(failures)),
        ])
    }

    /// Bytes as a Kubernetes quantity: `2Gi`, `512Mi`, or plain bytes.
    static func quantity(_ bytes: Int) -> String {
        for (suffix, size) in [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        where bytes % size == 0 {
            return "\(bytes / size)\(suffix)"
        }
        return String(bytes)
    }

    static func service(_ instance: ExportedInstance, port: Int, options: ExportOptions) -> YAMLValue {
        .object([
            ("apiVersion", .string("v1")), ("kind", .string("Service")),
            ("metadata", metadata(instance.serviceName, options, labels: labels(instance))),
            (
                "spec",
                .object([
                    ("selector", labels(instance)),
                    ("ports", .list([.object([("port", .int(port)), ("targetPort", .int(port))])])),
                ])
            ),
        ])
    }
}
