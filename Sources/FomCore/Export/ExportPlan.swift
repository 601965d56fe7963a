/// What `fom export` writes, decided once for both targets: every instance's command, environment
/// and checks inside a container, the shared `.env` values (a ConfigMap, or compose's env file),
/// the Secret's keys, and the report of every address rewrite. Pure: the caller reads the files.
public struct ExportPlan: Sendable {
    /// In supervisor.json's order.
    public var instances: [ExportedInstance]
    /// The `.env` values every instance shares, in file order: neither CVAT inputs nor secrets.
    public var sharedEnvironment: [(key: String, value: String)]
    /// Every key some instance references, with its value, in the order first referenced.
    public var secrets: [(key: String, value: String)]
    /// The keys of `secrets` whose value is secret (a password, a token, or a value holding one),
    /// as opposed to the CVAT URL and user name, which are kept there with the password.
    public var sensitiveKeys: Set<String>
    /// One line per rewrite (addresses, bind addresses, images, paths), for the report on stderr.
    public var rewrites: [String]
    /// What does not carry over as it is, for stderr.
    public var warnings: [String]

    /// Everything an export is computed from.
    public struct Input: Sendable {
        public var config: SupervisorConfig
        /// The parsed env file, in file order (empty when there is none).
        public var dotenv: [DotEnvEntry]
        /// Each instance's environment as its next start would get it, by instance name.
        public var environments: [String: ResolvedEnvironment]

        public init(config: SupervisorConfig, dotenv: [DotEnvEntry], environments: [String: ResolvedEnvironment]) {
            self.config = config
            self.dotenv = dotenv
            self.environments = environments
        }
    }

    public static func build(_ input: Input, options: ExportOptions) throws(ExportError) -> ExportPlan {
        var builder = ExportPlanBuilder(input: input, options: options)
        return try builder.build()
    }

    /// The secret value of `key`, or "" with `--no-secrets`.
    public func secretValue(_ key: String, options: ExportOptions) -> String {
        options.noSecrets ? "" : secrets.first(where: { $0.key == key })?.value ?? ""
    }
}

/// The steps of `ExportPlan.build`, sharing what they learn (service names, secret values).
struct ExportPlanBuilder {
    let input: ExportPlan.Input
    let options: ExportOptions
    var serviceNames: [String: String] = [:]
    var rewrite = LoopbackRewrite(services: [:])
    /// Values of secret variables: a variable whose value contains one is a secret too, so that
    /// `"DB": "${CVAT_PASSWORD}"` cannot carry it into a manifest. The rule `fom env` masks by.
    var secretValues = SecretValues()
    var sharedSecretKeys: Set<String> = []
    var secrets: [(key: String, value: String)] = []
    var sensitiveKeys: Set<String> = []
    var rewrites: [String] = []
    var warnings: [String] = []

    init(input: ExportPlan.Input, options: ExportOptions) {
        self.input = input
        self.options = options
    }

    mutating func build() throws(ExportError) -> ExportPlan {
        let instances = input.config.instances
        try nameServices()
        for name in options.stateful.keys where input.config.instance(named: name) == nil {
            throw ExportError("--stateful \(name): no such instance\(Self.hint(name, instances.map(\.name)))")
        }
        for name in options.images.keys where input.config.instance(named: name) == nil {
            throw ExportError("--image \(name)=...: no such instance\(Self.hint(name, instances.map(\.name)))")
        }
        var ports: [Int: String] = [:]
        for instance in instances {
            for port in [instance.port, Self.readyPort(instance)].compactMap({ $0 }) where ports[port] == nil {
                ports[port] = serviceNames[instance.name]!
            }
        }
        rewrite = LoopbackRewrite(services: ports)
        collectSecretValues()
        let shared = sharedEnvironment()
        let starting = Self.startingWithProject(instances)
        let order = DependencyOrder.startOrder(instances).map(\.name)
        var exported: [ExportedInstance] = []
        for instance in instances {
            exported.append(try export(instance, starting: starting.contains(instance.name), order: order))
        }
        return ExportPlan(
            instances: exported, sharedEnvironment: shared, secrets: secrets, sensitiveKeys: sensitiveKeys,
            rewrites: rewrites, warnings: warnings)
    }

    mutating func nameServices() throws(ExportError) {
        var owners: [String: String] = [:]
        for instance in input.config.instances {
            let service = ServiceName.from(instance.name)
            if let other = owners[service] {
                throw ExportError(
                    "instances \"\(other)\" and \"\(instance.name)\" both become \"\(service)\" as a Kubernetes name; rename one"
                )
            }
            owners[service] = instance.name
            serviceNames[instance.name] = service
            if service != instance.name { rewrites.append("\(instance.name): named \(service) (a DNS label)") }
        }
    }

    mutating func collectSecretValues() {
        let dotenv = SecretValues(variables: input.dotenv.map { (key: $0.key, value: $0.value) })
        secretValues = input.environments.values.reduce(dotenv) { $0.union($1.secrets) }
    }

    func isSecret(_ name: String, _ value: String) -> Bool {
        secretValues.isSecret(name: name, value: value)
    }

    /// The `.env` values for every instance; secrets among them are remembered for `secretKeyRef`.
    mutating func sharedEnvironment() -> [(key: String, value: String)] {
        var shared: [(key: String, value: String)] = []
        for entry in input.dotenv {
            // CVAT inputs reach synced instances only, as FIFTYONE_CVAT_*; a FIFTYONE_CVAT_* line is
            // ignored by fom itself (EnvironmentLayers).
            if EnvironmentLayers.cvatInputs.contains(entry.key) { continue }
            if entry.key.hasPrefix("FIFTYONE_CVAT_") {
                warnings.append(
                    "env file \(entry.key) is ignored by fom (only cvatSync hands out CVAT settings), so it is not exported; put it in an instance's \"env\""
                )
                continue
            }
            if isSecret(entry.key, entry.value) {
                sharedSecretKeys.insert(entry.key)
                continue
            }
            let (value, changes) = rewrite.apply(entry.value, ownService: nil)
            for change in changes { rewrites.append("env file \(entry.key): \(change)") }
            warnAboutLoopback(value, where: "env file \(entry.key)")
            shared.append((entry.key, value))
        }
        return shared
    }

    mutating func warnAboutLoopback(_ value: String, where place: String) {
        guard LoopbackRewrite.mentionsLoopback(value) else { return }
        warnings.append(
            "\(place) points at 127.0.0.1/localhost, which is not an instance's port: from a container it reaches the container itself, not this host"
        )
    }

    /// `autostart` instances and everything they depend on (fom starts dependencies too).
    static func startingWithProject(_ instances: [InstanceConfig]) -> Set<String> {
        var wanted = Set(instances.filter(\.autostart).map(\.name))
        var pending = Array(wanted)
        while let name = pending.popLast() {
            for dependency in instances.first(where: { $0.name == name })?.dependsOn ?? []
            where !wanted.contains(dependency) {
                wanted.insert(dependency)
                pending.append(dependency)
            }
        }
        return wanted
    }

    static func readyPort(_ instance: InstanceConfig) -> Int? {
        if case .tcp(let port) = instance.ready { return port }
        return nil
    }

    static func isMongod(_ instance: InstanceConfig) -> Bool {
        guard let program = instance.command.first else { return false }
        return program.split(separator: "/").last.map(String.init) == "mongod"
    }

    static func hint(_ name: String, _ names: [String]) -> String {
        NameSuggestion.closest(to: name, in: names).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// A host path as the container sees it: under the project -> under `/app`.
    func containerPath(_ path: String) -> String? {
        let base = input.config.directory
        if path == base { return ExportOptions.appDirectory }
        if path.hasPrefix(base + "/") { return ExportOptions.appDirectory + path.dropFirst(base.count) }
        return nil
    }

    mutating func export(_ instance: InstanceConfig, starting: Bool, order: [String]) throws(ExportError)
        -> ExportedInstance
    {
        let service = serviceNames[instance.name]!
        let servicePort = instance.port ?? Self.readyPort(instance)
        let mongod = Self.isMongod(instance)

        var image = options.images[instance.name] ?? options.image
        if mongod && options.images[instance.name] == nil {
            image = ExportOptions.mongoImage
            rewrites.append(
                "\(instance.name): runs mongod from the image \(image) (the official MongoDB image; --image \(instance.name)=IMAGE to change it)"
            )
        }

        let workingDirectory: String
        if let mapped = containerPath(instance.cwd) {
            workingDirectory = mapped
        } else {
            workingDirectory = instance.cwd
            warnings.append(
                "\(instance.name): cwd \(instance.cwd) is outside the project, so it is kept as it is; the image must have it"
            )
        }
        if let python = instance.python {
            rewrites.append("\(instance.name): python \(python) -> \(ExportOptions.python) (the image's interpreter)")
        }

        let command = try exportCommand(instance, service: service, servicePort: servicePort, mongod: mongod)

        var probe: ExportedProbe?
        switch instance.ready {
        case .none: probe = nil
        case .http(let path):
            if let port = instance.port { probe = .http(path: path, port: port) }
        case .tcp(let port): probe = .tcp(port: port)
        }

        var dataDirectory: String?
        if let chosen = options.stateful[instance.name] {
            if !chosen.isEmpty {
                // A host path under the project is where the image has it.
                dataDirectory = chosen.hasPrefix("/") ? containerPath(chosen) ?? chosen : chosen
            } else if mongod {
                dataDirectory = Self.mongodDataDirectory(command)
            } else {
                throw ExportError(
                    "--stateful \(instance.name): which directory holds its data? write --stateful \(instance.name)=DIR"
                )
            }
        } else if mongod {
            dataDirectory = Self.mongodDataDirectory(command)
        }
        if let directory = dataDirectory, !directory.hasPrefix("/") {
            dataDirectory = workingDirectory == "/" ? "/" + directory : workingDirectory + "/" + directory
        }
        dataDirectory = dataDirectory.map { PosixPath.normalized($0) }

        if !instance.autostart {
            rewrites.append(
                starting
                    ? "\(instance.name): autostart false, but an autostart instance depends on it: it starts with the others"
                    : "\(instance.name): autostart false -> replicas 0 (Kubernetes), profile \"manual\" (compose)")
        }
        let dependencies = instance.dependsOn.sorted {
            (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0)
        }

        return ExportedInstance(
            config: instance, serviceName: service, image: image, command: command,
            workingDirectory: workingDirectory, servicePort: servicePort, probe: probe,
            dependsOn: dependencies.compactMap { serviceNames[$0] }, startsWithProject: starting,
            dataDirectory: dataDirectory, environment: try exportEnvironment(instance, service: service))
    }

    /// mongod's `--dbpath DIR` (or `--dbpath=DIR`), else its default `/data/db`.
    static func mongodDataDirectory(_ argv: [String]) -> String {
        for (i, argument) in argv.enumerated() {
            if argument == "--dbpath", i + 1 < argv.count { return argv[i + 1] }
            if argument.hasPrefix("--dbpath=") { return String(argument.dropFirst("--dbpath=".count)) }
        }
        return "/data/db"
    }

    mutating func exportCommand(_ instance: InstanceConfig, service: String, servicePort: Int?, mongod: Bool)
        throws(ExportError) -> [String]
    {
        // A Service reaches the pod on its own address, so an instance listens on every address.
        let address = servicePort == nil ? instance.address : "0.0.0.0"
        var values = ["name": instance.name, "address": address, "python": ExportOptions.python]
        if let port = instance.port { values["port"] = String(port) }
        var argv = instance.command.map { CommandTemplate.expand($0, values) }
        if instance.command.contains(where: { CommandTemplate.uses($0, "address") }), address != instance.address {
            rewrites.append("\(instance.name): {address} -> \(address) (was \(instance.address))")
        }
        guard !argv.isEmpty else { return argv }
        if mongod {
            argv[0] = "mongod"
        } else if argv[0].contains("/") {
            let absolute = PosixPath.absolute(argv[0], base: instance.configDirectory)
            if let mapped = containerPath(absolute) {
                argv[0] = mapped
            } else if !["/bin/", "/sbin/", "/usr/"].contains(where: { absolute.hasPrefix($0) }) {
                // System programs are in any image; anything else must be put there.
                warnings.append(
                    "\(instance.name): the program \(argv[0]) is outside the project; the image must have it")
            }
        }
        for i in argv.indices.dropFirst() {
            let original = argv[i]
            if servicePort != nil {
                for host in LoopbackRewrite.hosts {
                    if argv[i] == host {
                        argv[i] = "0.0.0.0"
                    } else if argv[i].hasSuffix("=" + host) {
                        argv[i] = String(argv[i].dropLast(host.count)) + "0.0.0.0"
                    }
                }
            }
            if argv[i].hasPrefix("/"), let mapped = containerPath(argv[i]) { argv[i] = mapped }
            let (value, changes) = rewrite.apply(argv[i], ownService: service)
            argv[i] = value
            if argv[i] != original && changes.isEmpty {
                rewrites.append("\(instance.name): argument \(original) -> \(argv[i])")
            }
            for change in changes { rewrites.append("\(instance.name): argument \(change)") }
        }
        if argv.contains(where: secretValues.occur(in:)) {
            throw ExportError(
                "\(instance.name): its command holds the value of a secret variable; fom export writes secrets only into the Secret"
            )
        }
        return argv
    }

    mutating func exportEnvironment(_ instance: InstanceConfig, service: String) throws(ExportError)
        -> [ExportedVariable]
    {
        guard let environment = input.environments[instance.name] else { return [] }
        var variables: [ExportedVariable] = []
        for name in environment.sortedNames {
            let value = environment.variables[name]!
            switch environment.source(of: name) {
            case .supervisor, nil:
                // The environment of whoever runs `fom export` is not the instance's to keep.
                continue
            case .envFile:
                if sharedSecretKeys.contains(name) { variables.append(secretReference(name, value, instance)) }
            case .fiftyOneDefaults:
                let exported = name == "FIFTYONE_DEFAULT_APP_ADDRESS" && instance.port != nil ? "0.0.0.0" : value
                variables.append(ExportedVariable(name, .literal(exported)))
            case .instanceEnv:
                if isSecret(name, value) {
                    variables.append(secretReference(name, value, instance))
                } else {
                    let (rewritten, changes) = rewrite.apply(value, ownService: service)
                    for change in changes { rewrites.append("\(instance.name): \(name): \(change)") }
                    warnAboutLoopback(rewritten, where: "\(instance.name): \(name)")
                    variables.append(ExportedVariable(name, .literal(rewritten)))
                }
            case .cvatSync:
                // FIFTYONE_CVAT_URL comes from the input CVAT_URL.
                let inputName = String(name.dropFirst("FIFTYONE_".count))
                variables.append(secretReference(inputName, value, instance, as: name))
            case .fom:
                variables.append(ExportedVariable(name, .literal(value)))
            }
        }
        return variables
    }

    /// A reference to the Secret's key for `name`: the env file's own key when the value is the
    /// env file's, else a key of this instance (`FOM_ANNOTATE_CVAT_URL`).
    mutating func secretReference(
        _ name: String, _ value: String, _ instance: InstanceConfig, as variable: String? = nil
    ) -> ExportedVariable {
        let fromEnvFile = input.dotenv.last(where: { $0.key == name })?.value == value
        let key =
            fromEnvFile
            ? name : "FOM_" + ServiceName.from(instance.name).uppercased().replacingDashes() + "_" + name
        if !secrets.contains(where: { $0.key == key }) {
            // An address kept in the Secret (CVAT_URL) is rewritten and checked like any other.
            var stored = value
            if !Redaction.isSecret(name) {
                let (rewritten, changes) = rewrite.apply(value, ownService: nil)
                for change in changes { rewrites.append("secret \(key): \(change)") }
                warnAboutLoopback(rewritten, where: "secret \(key)")
                stored = rewritten
            }
            secrets.append((key, stored))
            if isSecret(name, value) { sensitiveKeys.insert(key) }
        }
        return ExportedVariable(variable ?? name, .secret(key: key))
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
