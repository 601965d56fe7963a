import FomCore
import SystemKit

/// The environment a start of an instance gets, computed afresh from the files each time (no
/// pm2 `--update-env` trap). Shared by the daemon (spawn) and the CLI (`env`, `exec`).
public enum InstanceEnvironment {
    /// The marker every process of the instance inherits; not part of what the user configures.
    public static let markerName = "FOM_TREE"
    /// Variables a shell in the instance maintains itself; a difference in them is not drift.
    public static let notDrift: Set<String> = [markerName, "PWD", "OLDPWD", "SHLVL", "_"]

    public static func compute(
        _ instance: InstanceConfig, id: Int, envFile: String, envFileRequired: Bool = false,
        supervisorEnvironment: [String: String]
    ) throws -> ResolvedEnvironment {
        let entries = try EnvFile.entries(
            envFile, required: envFileRequired, supervisorEnvironment: supervisorEnvironment)
        // The child starts in the instance's directory, so PWD says that one, as a shell would.
        var base = supervisorEnvironment
        base["PWD"] = instance.cwd
        // A daemon started from inside an instance must not hand that instance's marker on.
        base[markerName] = nil
        let inputs = EnvironmentInputs(
            supervisorEnvironment: base, dotenv: entries, envFilePath: envFile,
            isFiftyOne: instance.kind == .fiftyone, port: instance.port, address: instance.address,
            instanceEnv: instance.env.map { ($0.key, $0.value) }, cvatSync: instance.cvatSync,
            name: instance.name, id: id)
        return try EnvironmentLayers.build(inputs)
    }
}
