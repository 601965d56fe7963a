import FomCore
import FomDaemon
import SystemKit

/// What every command needs: the config found the way git finds `.git`, the env file that
/// `--env NAME` selects, and the runtime directory with the control socket.
struct Context {
    let config: SupervisorConfig
    let envFile: String
    let runtime: RuntimeDirectory
    let environment: [String: String]
    let envName: String?
    /// The fingerprint of supervisor.json as it is on disk now.
    let configDigest: String
    /// Set when supervisor.json does not parse but a daemon runs (with the version it read at
    /// start): the commands that go through the daemon still work, and say why the rest cannot.
    let configError: String?

    static func load(_ args: ParsedArguments) throws -> Context {
        let environment = Files.environment()
        let cwd = Files.currentDirectory()
        guard
            let path = ConfigDiscovery.locate(
                explicit: args.options["--config"], environment: environment,
                cwd: cwd, fileExists: Files.exists)
        else {
            throw Failure("no supervisor.json in \(cwd) or any parent (use --config PATH or set FOM_CONFIG)")
        }
        guard let text = Files.readText(path) else {
            throw Failure("\(path): cannot read the file")
        }
        let runtimeOverride = environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        var config: SupervisorConfig
        var configError: String?
        do {
            config = try SupervisorConfig.parse(text: text, path: path, runtimeDirectory: runtimeOverride)
        } catch {
            let message = located(error, cwd: cwd)
            // A running daemon must stay reachable (to look, to stop) whatever the file says now.
            config = SupervisorConfig(path: path, runtimeDirectory: runtimeOverride)
            let runtime = RuntimeDirectory(configDirectory: config.directory, environment: environment)
            guard args.allowsBrokenConfig, let probe = Sockets.connectUnix(path: runtime.socket) else {
                throw Failure(message, located: true)
            }
            FileDescriptor.close(probe)
            Output.err(message)
            Output.err(
                "fom: warning: supervisor.json does not parse; the running daemon keeps the version it read at start")
            configError = message
        }
        let envName = args.options["--env"]
        if let envName, envName.isEmpty || envName.contains("/") {
            throw UsageError("--env takes a name such as 'dev' (for .env.dev), not \"\(envName)\"")
        }
        let envFile = config.envFile(selecting: envName)
        if envName != nil {
            // A mistyped name must not run anything with no variables at all (compose's
            // `--env-file` refuses a missing file too), whatever the command.
            do {
                _ = try EnvFile.text(envFile, required: true, envName: envName)
            } catch {
                throw Failure(error.description)
            }
        }
        return Context(
            config: config, envFile: envFile,
            runtime: RuntimeDirectory(configDirectory: config.directory, environment: environment),
            environment: environment, envName: envName, configDigest: Fingerprint.of(text), configError: configError)
    }

    /// The lines `fom validate` prints for an invalid supervisor.json: the file named as the
    /// user sees it from `cwd`.
    static func located(_ error: ConfigError, cwd: String) -> String {
        error.diagnostics.map { d in
            var d = d
            if d.file.hasPrefix(cwd + "/") { d.file = String(d.file.dropFirst(cwd.count + 1)) }
            return d.description
        }.joined(separator: "\n")
    }

    /// Reads the env file for validation: its errors name file and line.
    func checkEnvFile() throws {
        let text: String?
        do {
            text = try EnvFile.text(envFile, required: envName != nil, envName: envName)
        } catch {
            throw Failure(error.description)
        }
        guard let text else { return }
        do {
            _ = try DotEnv.parse(text, file: envFile, lookup: { environment[$0] })
        } catch {
            throw Failure(error.description, located: true)
        }
    }

    /// The daemon reads its env file when it starts (`--env` then), so a command that names
    /// another one would silently get the daemon's. Refused, with the way to switch; without
    /// `--env` the command takes whatever the daemon runs with, as pm2 does.
    func checkDaemonEnvFile(_ daemonEnvFile: String?, command: String) throws {
        guard let envName, let daemonEnvFile, daemonEnvFile != envFile else { return }
        throw Failure(
            "fom \(command) --env \(envName): the daemon runs with \(daemonEnvFile), not \(envFile); it reads its env file when it starts ('fom kill' then 'fom start --env \(envName)' switches it)"
        )
    }
}

extension Context {
    /// Finds an instance by id or name without the daemon (ids from the state file).
    func instance(_ target: String) throws -> (config: InstanceConfig, id: Int) {
        if let configError {
            throw Failure("supervisor.json does not parse, so \"\(target)\" cannot be looked up in it: \(configError)")
        }
        let ids = instanceIDs()
        for (i, instance) in config.instances.enumerated() where instance.name == target || String(ids[i]) == target {
            return (instance, ids[i])
        }
        if target == "all" { throw Failure("\"all\" names every instance; this command takes one") }
        throw Failure(UnknownInstance.message(target, known: Array(zip(ids, config.instances.map(\.name)))))
    }

    /// The daemon reads supervisor.json when it starts and at each reload: when the file's
    /// content changed since, what the daemon runs is not what the file says, and the user is told.
    func warnIfConfigChanged(daemonDigest: String?, command: String) {
        guard let daemonDigest, daemonDigest != configDigest, configError == nil else { return }
        Output.err("fom \(command): warning: \(Self.changedNote(config.path))")
    }

    static func changedNote(_ path: String) -> String {
        "\(path) changed after the daemon read it; the daemon still runs the old version (run 'fom reload' to apply it)"
    }

    /// An id, a name or `all`, resolved against the config.
    func instances(_ target: String) throws -> [(config: InstanceConfig, id: Int)] {
        if target == "all" { return Array(zip(config.instances, instanceIDs())).map { ($0.0, $0.1) } }
        return [try instance(target)]
    }

    /// The ids the daemon gives (or will give) the instances, from the state file.
    func instanceIDs() -> [Int] {
        var state = StateStore.load(runtime.stateFile)
        return state.ids.assign(config.instances.map(\.name))
    }

    /// The environment the next start of an instance gets, computed here (no daemon running).
    func nextEnvironment(_ instance: InstanceConfig, id: Int) throws -> ResolvedEnvironment {
        do {
            return try InstanceEnvironment.compute(
                instance, id: id, envFile: envFile, envFileRequired: envName != nil,
                supervisorEnvironment: environment)
        } catch {
            throw Failure("\(error)")
        }
    }
}
