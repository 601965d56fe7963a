import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// Starting an instance: dependencies online, port free, environment computed from the files,
/// executable found, then posix_spawn and, when configured, the ready probe.
extension Supervisor {
    /// Spawns an instance the orchestrator found ready to go (its dependencies online): port
    /// free, environment computed, executable found; answered with `spawned` or `startFailed`.
    func spawn(_ instance: ManagedInstance) {
        let config = instance.config
        if let port = config.port, Sockets.isPortInUse(host: config.address, port: port) {
            let owner = ProcFS.listener(onPort: port).map { "PID \($0.pid) (\($0.command))" } ?? "another process"
            feed(instance, .startFailed("port \(port) is in use by \(owner)"))
            return
        }
        let environment: ResolvedEnvironment
        do {
            environment = try InstanceEnvironment.compute(
                config, id: instance.id, envFile: options.envFile, envFileRequired: options.envFileRequired,
                supervisorEnvironment: supervisorEnvironment)
        } catch {
            feed(instance, .startFailed("\(error)"))
            return
        }
        guard Files.isDirectory(config.cwd) else {
            feed(instance, .startFailed("the working directory \(config.cwd) does not exist"))
            return
        }
        let argv = config.resolvedCommand(pythonExists: Files.isExecutable)
        guard let program = argv.first,
            let executable = Spawn.resolveExecutable(
                program, base: config.configDirectory,
                searchPath: environment.variables["PATH"])
        else {
            feed(
                instance, .startFailed("cannot execute \(argv.first ?? "(empty command)"): not found or not executable")
            )
            return
        }
        var lines = environment.sortedLines
        lines.append(instance.marker)
        do {
            let child = try Spawn.start(
                executable: executable, arguments: argv, environment: lines,
                directory: config.cwd)
            instance.lastCommand = argv
            instance.setSpawned(environment.variables, base: supervisorEnvironment)
            instance.spawnedSecrets = environment.secrets
            instance.runIsDaemonChild = true
            attachPipes(instance, child)
            takeRun(
                instance, pid: child.pid, startTime: ProcFS.stat(child.pid)?.startTime ?? 0,
                startedWallMs: Clock.wallMilliseconds())
            holdPipes(of: instance, pid: child.pid)
            feed(instance, .spawned(pid: child.pid))
        } catch {
            if deferStartForDescriptors(instance, error) { return }
            feed(instance, .startFailed(error.description))
        }
    }

    /// The one step that makes a run the daemon's, spawned or adopted after a crash: what every
    /// watch of a run starts from. The start time tells the run from a reused pid (the holder's
    /// keys, the state file); the memory watch begins a new run as not yet stable; the state
    /// file records the run. Exit detection, capture, sampling and the ready probe key on the
    /// machine's pid and the run's pipes and pidfd, which the caller has set up.
    func takeRun(_ instance: ManagedInstance, pid: Int32, startTime: UInt64, startedWallMs: Int64) {
        instance.startTime = startTime
        instance.startedWallMs = startedWallMs
        instance.memoryWasUnderLimit = false
        state.running[instance.name] = StateStore.Running(pid: pid, startTime: startTime)
        stateDirty = true
    }

    func startProbe(_ instance: ManagedInstance) {
        let config = instance.config
        let kind: ReadyProbe.Kind
        switch config.ready {
        case .none: return
        case .tcp(let port): kind = .tcp(port: port)
        case .http(let path): kind = .http(port: config.port ?? 80, path: path)
        }
        instance.probe = ReadyProbe(kind: kind, host: config.address, now: now)
    }

    func probeEvent(instanceID: Int) {
        guard let instance = byID[instanceID], let probe = instance.probe else { return }
        let fd = probe.fd
        let (progress, wantRead) = probe.socketEvent(now: now)
        switch progress {
        case .ready:
            instance.probe = nil
            instance.onlineWallMs = Clock.wallMilliseconds()
            feed(instance, .ready)
        case .pending:
            if wantRead && probe.fd >= 0 {
                poll.modify(fd, token: Token.probe.with(instanceID), readable: true, writable: false)
            }
        }
    }
}
