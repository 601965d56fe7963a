/// The environment of an instance, built in layers where later layers win (DESIGN.md, "The
/// environment of an instance"):
/// 1. the supervisor's environment, minus `FIFTYONE_CVAT_*` and FiftyOne's internal variables;
/// 2. the `.env` file, minus `FIFTYONE_CVAT_*`;
/// 3. for fiftyone instances, `PYTHONUNBUFFERED`, `FIFTYONE_DEFAULT_APP_PORT`/`_ADDRESS`;
/// 4. the instance's `env`;
/// 5. the CVAT mapping: `CVAT_*` in, `FIFTYONE_CVAT_*` out when cvatSync is on;
/// 6. `FOM_NAME`, `FOM_ID`.
public enum EnvironmentLayers {
    /// Inherited by a child server, these make it believe it is a sub-process of another FiftyOne
    /// session (wrong database port, no services, exit at end).
    public static let strippedFiftyOneInternals: Set<String> = [
        "FIFTYONE_PRIVATE_DATABASE_PORT", "FIFTYONE_DISABLE_SERVICES", "FIFTYONE_SERVER",
        "FIFTYONE_HEADLESS", "FIFTYONE_EXIT",
    ]

    /// The inputs of the CVAT Sync checkbox, in the order errors list them.
    public static let cvatInputs = ["CVAT_URL", "CVAT_USERNAME", "CVAT_PASSWORD", "CVAT_EMAIL"]
    static let requiredCVATInputs = ["CVAT_URL", "CVAT_USERNAME", "CVAT_PASSWORD"]
    static let fiftyOneCVATPrefix = "FIFTYONE_CVAT_"

    public static func build(_ inputs: EnvironmentInputs) throws(EnvironmentError) -> ResolvedEnvironment {
        var variables: [String: String] = [:]
        var sources: [String: EnvironmentSource] = [:]
        // Every secret-named value any layer holds, passed on or not (`ResolvedEnvironment.secrets`).
        var secretValues: [String] = []
        func set(_ name: String, _ value: String, _ source: EnvironmentSource, secretChecked: Bool = false) {
            variables[name] = value
            sources[name] = source
            if !secretChecked, Redaction.isSecret(name) { secretValues.append(value) }
        }

        // 1. A FIFTYONE_CVAT_* in the supervisor's environment would reach every instance,
        //    synced or not: the checkbox alone decides who gets CVAT credentials.
        for (name, value) in inputs.supervisorEnvironment {
            // Left out or not, a secret's value is one to mask.
            if Redaction.isSecret(name) { secretValues.append(value) }
            if !isFiftyOneCVAT(name) && !strippedFiftyOneInternals.contains(name) {
                set(name, value, .supervisor, secretChecked: true)
            }
        }

        // 2. The .env file is shared by all instances, so a FIFTYONE_CVAT_* in it would also
        //    reach unsynced ones, which DESIGN forbids ("no FIFTYONE_CVAT_* variable unless its own
        //    env sets one"). It is left out whatever cvatSync says, so one rule holds for every
        //    instance; the file's place for CVAT is CVAT_*, and other FIFTYONE_CVAT_* settings
        //    (ORGANIZATION...) go in an instance's own env. `ignoredFromEnvFile` reports them.
        //    FiftyOne's internal variables are kept here: a file is a deliberate choice.
        var ignored: [String] = []
        let envFile = EnvironmentSource.envFile(inputs.envFilePath)
        for entry in inputs.dotenv {
            if isFiftyOneCVAT(entry.key) {
                ignored.append(entry.key)
                if Redaction.isSecret(entry.key) { secretValues.append(entry.value) }
            } else {
                set(entry.key, entry.value, envFile)
            }
        }

        // 3.
        if inputs.isFiftyOne {
            set("PYTHONUNBUFFERED", "1", .fiftyOneDefaults)
            if let port = inputs.port { set("FIFTYONE_DEFAULT_APP_PORT", String(port), .fiftyOneDefaults) }
            set("FIFTYONE_DEFAULT_APP_ADDRESS", inputs.address, .fiftyOneDefaults)
        }

        // 4. `${VAR}` sees layers 1-3 and the keys of this env defined above it (which win, as
        //    a later layer would).
        for (name, raw) in inputs.instanceEnv {
            guard isValidName(name) else { throw .invalidName(instance: inputs.name, key: name) }
            let value: String
            do {
                value = try VariableExpander.expand(raw, lookup: { variables[$0] })
            } catch {
                // The message may quote the text as written: no secret known so far in it.
                throw .instanceEnvExpansion(
                    instance: inputs.name, key: name, error.masking(SecretValues(secretValues)))
            }
            set(name, value, .instanceEnv)
        }

        // 5. The checkbox inputs are read from layers 1-4, so one instance can point at another
        //    CVAT server through its own env; they are never passed on as themselves.
        let cvat = Dictionary(uniqueKeysWithValues: cvatInputs.map { ($0, variables[$0] ?? "") })
        for name in cvatInputs {
            variables[name] = nil
            sources[name] = nil
        }
        if inputs.cvatSync {
            let missing = requiredCVATInputs.filter { cvat[$0]!.isEmpty }
            guard missing.isEmpty else {
                throw .missingCVATSettings(instance: inputs.name, variables: missing, envFile: inputs.envFilePath)
            }
            set("FIFTYONE_CVAT_URL", cvat["CVAT_URL"]!, .cvatSync)
            set("FIFTYONE_CVAT_USERNAME", cvat["CVAT_USERNAME"]!, .cvatSync)
            set("FIFTYONE_CVAT_PASSWORD", cvat["CVAT_PASSWORD"]!, .cvatSync)
            // FiftyOne passes every FIFTYONE_CVAT_* to the backend: an empty email is not invented.
            if !cvat["CVAT_EMAIL"]!.isEmpty { set("FIFTYONE_CVAT_EMAIL", cvat["CVAT_EMAIL"]!, .cvatSync) }
        }

        // 6.
        set("FOM_NAME", inputs.name, .fom)
        set("FOM_ID", String(inputs.id), .fom)

        // execve stops a string at NUL; a cut value would fail far from its cause.
        for (name, value) in variables where value.utf8.contains(0) {
            throw .nulInValue(instance: inputs.name, key: name, source: sources[name]!)
        }

        return ResolvedEnvironment(
            variables: variables, sources: sources, ignoredFromEnvFile: ignored.sorted(),
            secrets: SecretValues(secretValues))
    }

    /// Names of the variables that differ between a running instance's environment and the one a
    /// restart would give it (added, removed or changed), sorted. `ignoring` leaves out markers the
    /// daemon adds itself, such as `FOM_INSTANCE_TOKEN`.
    public static func drift(
        running: [String: String], next: [String: String], ignoring: Set<String> = []
    ) -> [String] {
        let names = Set(running.keys).union(next.keys).subtracting(ignoring)
        return names.filter { running[$0] != next[$0] }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func isFiftyOneCVAT(_ name: String) -> Bool {
        name.hasPrefix(fiftyOneCVATPrefix)
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(UInt8(ascii: "=")) && !name.utf8.contains(0)
    }
}
