import FomCore
import FomRuntime
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
    /// `--timeout`: how long to wait for the daemon's answer; nil for each command's default.
    var timeout: Duration?

    static func load(_ args: ParsedArguments) throws -> Context {
        let environment = Files.environment()
        let cwd = Files.currentDirectory()
        let runtimeOverride = environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        guard
            let path = ConfigDiscovery.locate(
                explicit: args.options["--config"], environment: environment,
                cwd: cwd, fileExists: Files.exists)
        else {
            let missing = "no supervisor.json in \(cwd) or any parent (use --config PATH or set FOM_CONFIG)"
            if args.allowsBrokenConfig, args.options["--config"] == nil,
                let orphan = try orphanedDaemon(cwd: cwd, environment: environment, runtimeOverride: runtimeOverride)
            {
                Output.err("fom: warning: \(missing); talking to the daemon that runs from \(orphan.runtime.path)")
                return Context(
                    config: orphan.config, envFile: orphan.config.envFile, runtime: orphan.runtime,
                    environment: environment, envName: nil, configDigest: "", configError: missing,
                    timeout: try timeout(args))
            }
            throw Failure(missing)
        }
        guard let bytes = Files.readBytes(path) else {
            throw Failure("\(path): cannot read the file")
        }
        // Invalid UTF-8 is an error at its place, not silently replaced with U+FFFD.
        if let (line, column) = Self.firstInvalidUTF8(bytes) {
            throw Failure("\(path):\(line):\(column): invalid UTF-8 (the file must be UTF-8 text)", located: true)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var config: SupervisorConfig
        var configError: String?
        do {
            config = try SupervisorConfig.parse(text: text, path: path, runtimeDirectory: runtimeOverride)
        } catch {
            let message = located(error, cwd: cwd)
            // A running daemon must stay reachable (to look, to stop) whatever the file says now.
            config = SupervisorConfig(path: path, runtimeDirectory: runtimeOverride)
            let runtime = RuntimeDirectory(configDirectory: config.directory, environment: environment)
            guard args.allowsBrokenConfig, Self.daemonListens(runtime) else {
                throw Failure(message, located: true)
            }
            Output.err(message)
            Output.err(
                "fom: warning: supervisor.json does not parse; the running daemon keeps the version it read at start")
            configError = message
        }
        let timeout = try timeout(args)
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
            environment: environment, envName: envName, configDigest: Fingerprint.of(text), configError: configError,
            timeout: timeout)
    }

    /// What `fom list` needs when a daemon answers: the socket and supervisor.json's digest,
    /// without parsing the file (a 1,000-instance file cost `list` more than the answer). nil
    /// where the full load decides (`--env`, no file, invalid UTF-8): the caller then loads.
    static func withoutParsing(_ args: ParsedArguments) throws -> Context? {
        guard args.options["--env"] == nil else { return nil }
        let environment = Files.environment()
        let runtimeOverride = environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        guard
            let path = ConfigDiscovery.locate(
                explicit: args.options["--config"], environment: environment,
                cwd: Files.currentDirectory(), fileExists: Files.exists),
            let bytes = Files.readBytes(path), firstInvalidUTF8(bytes) == nil
        else { return nil }
        let config = SupervisorConfig(path: path, runtimeDirectory: runtimeOverride)
        return Context(
            config: config, envFile: config.envFile,
            runtime: RuntimeDirectory(configDirectory: config.directory, environment: environment),
            environment: environment, envName: nil,
            configDigest: Fingerprint.of(String(decoding: bytes, as: UTF8.self)), configError: nil,
            timeout: try timeout(args))
    }

    /// The line and column (1-based, in characters) of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
        // The library's validation first (fast); the position only for a file that fails it.
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var line = 1
        var column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == 10 {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return nil
            case .error:
                return (line, column)
            }
        }
    }

    /// `--timeout DURATION`, checked.
    static func timeout(_ args: ParsedArguments) throws -> Duration? {
        guard let text = args.options["--timeout"] else { return nil }
        let timeout: Duration
        // A bare number is seconds, as timeout(1) and curl's --max-time read it.
        let bare = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        do {
            timeout = try DurationText.parse(bare ? text + "s" : text)
        } catch {
            throw UsageError(
                "--timeout takes seconds or a duration such as \"2\", \"30s\", \"500ms\" or \"5m\", not \"\(text)\": \(error.message)"
            )
        }
        if timeout == .zero || timeout > ConfigLimits.maxDuration {
            throw UsageError("--timeout must be more than 0 and at most 24h, not \"\(text)\"")
        }
        return timeout
    }

    /// How long a look for a listening daemon waits while its backlog is full; the request that
    /// follows has the whole `--timeout` and says what is wrong.
    static let probeTimeoutMs: Int32 = 1000

    /// Whether a daemon listens on the runtime directory's socket (one that does not accept in
    /// time is there too).
    static func daemonListens(_ runtime: RuntimeDirectory) -> Bool {
        switch Sockets.connectUnixReporting(path: runtime.socket, timeoutMs: probeTimeoutMs) {
        case .connected(let fd):
            FileDescriptor.close(fd)
            return true
        case .timedOut: return true
        case .absent, .refused: return false
        }
    }

    /// supervisor.json was deleted under a running daemon: its runtime directory (`$FOM_HOME`,
    /// or the nearest `.fom` with a socket that answers) still reaches it, to look and to stop.
    static func orphanedDaemon(
        cwd: String, environment: [String: String], runtimeOverride: String?
    ) throws -> (config: SupervisorConfig, runtime: RuntimeDirectory)? {
        var directory = cwd
        while true {
            let config = SupervisorConfig(path: directory + "/supervisor.json", runtimeDirectory: runtimeOverride)
            let runtime = RuntimeDirectory(configDirectory: directory, environment: environment)
            switch Sockets.connectUnixReporting(path: runtime.socket, timeoutMs: probeTimeoutMs) {
            case .connected(let fd):
                FileDescriptor.close(fd)
                return (config, runtime)
            case .timedOut:
                // A daemon is there, not accepting: the command that follows says so.
                return (config, runtime)
            case .refused(let error):
                throw Failure("cannot reach the daemon: \(error) (a daemon of another user?)")
            case .absent:
                break
            }
            // With FOM_HOME the runtime directory does not depend on where we look from.
            if runtimeOverride != nil || directory == "/" { return nil }
            directory = Files.dirname(of: directory)
        }
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
        var state = runtime.readState()
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
