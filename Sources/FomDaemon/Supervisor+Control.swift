import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The control socket: JSON lines from the CLI, answered in order. Garbage and over-long lines
/// get an error; nobody else waits for them.
extension Supervisor {
    func acceptClients() {
        while true {
            let fd: Int32
            switch Sockets.accept(listenFD) {
            case .accepted(let accepted): fd = accepted
            case .none: return
            case .failed:
                // EMFILE and friends: the connection waits in the backlog; stop asking until a
                // client leaves, or the loop would spin on a listener that stays readable.
                poll.remove(listenFD)
                listenerPaused = true
                return
            }
            // Only the daemon's own user (or root) may control it.
            guard let peer = Sockets.peer(fd), peer.uid == geteuid() || peer.uid == 0 else {
                refuse(fd, "permission denied: the daemon belongs to uid \(geteuid())")
                continue
            }
            // Descriptors are kept for spawning: clients get at most a quarter of them.
            guard clients.count < clientLimit else {
                refuse(fd, "too many clients are connected (\(clients.count)); try again")
                continue
            }
            clients[fd] = ControlConnection(now: now)
            poll.add(fd, token: Token.client.with(Int(fd)))
        }
    }

    /// Clients the daemon serves at once; the other descriptors stay free for pipes and pidfds.
    var clientLimit: Int { max(4, Limits.openFiles() / 4) }

    /// One error line to a client that is not served, then closed.
    func refuse(_ fd: Int32, _ message: String) {
        let bytes = Array((Response.error(message).serialized() + "\n").utf8)
        _ = bytes.withUnsafeBytes { Sockets.send(fd, $0) }
        FileDescriptor.close(fd)
    }

    func serviceClient(_ fd: Int32, _ event: EventPoll.Event) {
        guard let client = clients[fd] else { return }
        if event.writable { flush(fd, client) }
        guard clients[fd] != nil else { return }
        if event.hangup {
            // Gone both ways (EPOLLHUP: it closed, not only done sending): nobody is left to
            // answer, and what it sent and the daemon has not read yet is not carried out
            // either. A CLI that gave up on a stopped daemon (`--timeout`) must not have its
            // stop or kill done behind its back when the daemon resumes.
            dropClient(fd)
            return
        }
        if (event.readable || event.hangup) && !client.halfClosed {
            do {
                guard let chunk = try FileDescriptor.read(fd, max: 65536) else { return }
                client.lastActivity = now
                if chunk.isEmpty {
                    // The client sent all it will (a shutdown of its writing side, or it left):
                    // what it asked is still answered; with nothing in progress it is closed now.
                    client.halfClosed = true
                    if !client.awaitingAnswer && !client.hasUnsentOutput && client.input.firstIndex(of: 10) == nil {
                        dropClient(fd)
                        return
                    }
                } else {
                    client.input.append(contentsOf: chunk)
                }
            } catch {
                dropClient(fd)
                return
            }
        }
        processInput(fd, client)
    }

    /// Handles the complete lines a client sent, one at a time: the next only once the last
    /// answer is out (a client that does not read holds one answer, not a pile).
    func processInput(_ fd: Int32, _ client: ControlConnection) {
        while clients[fd] != nil, !client.awaitingAnswer, !client.hasUnsentOutput,
            let newline = client.input.firstIndex(of: 10)
        {
            let line = Array(client.input[..<newline])
            client.input.removeSubrange(...newline)
            if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            handle(line: line, from: fd)
            // Each request is applied whole before the next one is read.
            drain()
        }
        guard clients[fd] != nil else { return }
        if client.input.count > ControlConnection.maxLine {
            client.input = []
            client.closeWhenFlushed = true
            reply(fd, Response.error("request line longer than 1 MiB"))
        } else if client.halfClosed && !client.awaitingAnswer && !client.hasUnsentOutput
            && client.input.firstIndex(of: 10) == nil
        {
            dropClient(fd)
        } else {
            updateInterest(fd, client)
        }
    }

    func handle(line: [UInt8], from fd: Int32) {
        let request: Request
        do {
            request = try Request(line: line)
        } catch {
            reply(fd, Response.error(error.message))
            return
        }
        switch request.command {
        case .ping:
            var members: [(String, JSONValue)] = [
                ("pid", JSONValue(Int(getpid()))), ("version", .string(FomVersion.string)),
                ("uptimeMs", JSONValue(Int((Clock.monotonicNanoseconds() - started) / 1_000_000))),
                ("config", .string(options.config.path)), ("rssBytes", JSONValue(ProcFS.ownRSS())),
                ("envFile", .string(options.envFile)),
                ("reexecutedAtMs", JSONValue(optional: handover.reexecutedWallMs.map { Int($0) })),
            ]
            if let warning = stateSaveWarning { members.append(("stateWarning", .string(warning))) }
            reply(fd, Response.ok(members))
        case .list:
            reply(fd, rows(instances))
        case .watch:
            startWatching(fd)
        case .describe, .env:
            guard let instance = resolve(request.targets, fd: fd, single: true)?.first else { return }
            if request.command == .describe { refreshResources() }
            if request.command == .env {
                reply(fd, envAnswer(instance, reveal: request.reveal).json)
            } else {
                reply(fd, describeAnswer(instance).json)
            }
        case .start, .stop, .restart:
            if shuttingDown {
                reply(fd, Response.error("the daemon is shutting down"))
                return
            }
            let targets: [ManagedInstance]
            if request.targets.isEmpty && request.command == .start {
                targets = instances.filter(\.config.autostart)
            } else {
                guard let resolved = resolve(request.targets, fd: fd, single: false) else { return }
                targets = resolved
            }
            let ids = targets.map(\.id)
            switch request.command {
            case .stop: post(.orchestrate(.stop(ids)))
            case _ where request.coldStart:
                // This daemon was started for this very request and has started what is wanted
                // already: only what never ran here still needs its start.
                post(.orchestrate(.start(targets.filter { $0.machine.phase == .stopped && !$0.wantedUp }.map(\.id))))
            case .start: post(.orchestrate(.start(ids)))
            default: post(.orchestrate(.restart(ids)))
            }
            // A stop overtaken by a later start or restart is answered too (it lost to the newer word).
            let done: (ManagedInstance) -> Bool =
                request.command == .stop
                ? { $0.isAtRest || $0.wantedUp }
                : { [unowned self] s in
                    [.online, .errored, .exited, .backoff, .stopped].contains(s.machine.status)
                        && !(s.machine.status == .stopped && s.wantedUp) && !self.orchestrator.isBusy(s.id)
                }
            // Without --no-wait, answered once the targets settle; with it, after this pass of
            // the loop, so that the rows show what the request did (a queued stop has begun).
            clients[fd]?.awaitingAnswer = true
            waiters.append(
                Waiter(
                    client: fd, ids: ids, done: request.wait ? done : { _ in true },
                    answer: { [unowned self] in self.rows($0) }))
        case .reload:
            reload(dryRun: request.dryRun, wait: request.wait, client: fd)
        case .flush:
            var targets = instances
            if !request.targets.isEmpty {
                guard let resolved = resolve(request.targets, fd: fd, single: false) else { return }
                targets = resolved
            } else {
                events.flush()
            }
            for instance in targets {
                instance.out.flush()
                instance.err.flush()
            }
            reply(fd, Response.ok())
        case .upgrade:
            requestUpgrade(client: fd, binary: request.binary)
        case .kill:
            clients[fd]?.awaitingAnswer = true
            killClients.append(fd)
            beginShutdown(reason: "fom kill")
        }
    }

    /// The answer of list, start, stop and restart: the rows, and when the config was read.
    func rows(_ targets: [ManagedInstance]) -> JSONValue {
        refreshResources()
        let t = now
        return Response.ok([
            ("instances", .array(targets.map { infoWithResources($0, now: t, detailed: false).json(compact: true) })),
            ("configDigest", .string(configDigest)),
        ])
    }

    /// Ids, names or `all`; an unknown one is answered with an error naming it.
    func resolve(_ targets: [String], fd: Int32, single: Bool) -> [ManagedInstance]? {
        if targets.isEmpty {
            reply(fd, Response.error("name an instance (id or name)"))
            return nil
        }
        // A request's work is bounded: no request names more targets than this.
        if targets.count > ControlConnection.maxTargets {
            reply(
                fd,
                Response.error(
                    "a request names at most \(ControlConnection.maxTargets) instances; this one names \(targets.count)"
                ))
            return nil
        }
        var result: [ManagedInstance] = []
        var seen = Set<Int>()
        for target in targets {
            if target == "all" && !single {
                for instance in instances where seen.insert(instance.id).inserted { result.append(instance) }
                continue
            }
            if let instance = byName[target] ?? Int(target).flatMap({ byID[$0] }) {
                if seen.insert(instance.id).inserted { result.append(instance) }
                continue
            }
            let message =
                target == "all"
                ? "\"all\" names every instance; this command takes one"
                : UnknownInstance.message(target, known: instances.map { ($0.id, $0.name) })
            // With the digest, the CLI can tell when the file it read is not the one running here.
            reply(
                fd,
                .object(
                    JSONObject([
                        (key: "ok", value: false), (key: "error", value: .string(message)),
                        (key: "configDigest", value: .string(configDigest)),
                    ])))
            return nil
        }
        return result
    }

    /// Answers the clients whose targets have settled; true when it answered any.
    @discardableResult
    func answerWaiters() -> Bool {
        guard !waiters.isEmpty else { return false }
        var answered: [Waiter] = []
        var remaining: [Waiter] = []
        for waiter in waiters {
            let targets = waiter.ids.compactMap { byID[$0] }
            if targets.allSatisfy(waiter.done) { answered.append(waiter) } else { remaining.append(waiter) }
        }
        // Set before answering: the next pipelined request of a client may add a waiter.
        waiters = remaining
        for waiter in answered {
            let targets = waiter.ids.compactMap { byID[$0] }
            clients[waiter.client]?.awaitingAnswer = false
            reply(waiter.client, waiter.answer(targets))
            if let client = clients[waiter.client] { processInput(waiter.client, client) }
        }
        return !answered.isEmpty
    }

    func reply(_ fd: Int32, _ value: JSONValue) {
        guard let client = clients[fd] else { return }
        client.queue(Array((value.serialized() + "\n").utf8))
        flush(fd, client)
    }

    func flush(_ fd: Int32, _ client: ControlConnection) {
        while client.hasUnsentOutput {
            switch client.withUnsent({ Sockets.send(fd, $0) }) {
            case .sent(let n):
                client.didSend(n)
                client.lastActivity = now
            case .wouldBlock:
                if client.unsentCount > ControlConnection.maxUnsent {
                    // A client that does not read what it asked for is not kept at our expense.
                    dropClient(fd)
                    return
                }
                updateInterest(fd, client)
                return
            case .failed:
                dropClient(fd)
                return
            }
        }
        if client.closeWhenFlushed
            || (client.halfClosed && !client.awaitingAnswer && client.input.firstIndex(of: 10) == nil)
        {
            dropClient(fd)
            return
        }
        updateInterest(fd, client)
    }

    /// Reads only when the client may send its next request; writes while an answer is pending.
    func updateInterest(_ fd: Int32, _ client: ControlConnection) {
        poll.modify(
            fd, token: Token.client.with(Int(fd)),
            readable: !client.closeWhenFlushed && !client.halfClosed && !client.hasUnsentOutput,
            writable: client.hasUnsentOutput)
    }

    func flushClients() {
        for (fd, client) in clients { flush(fd, client) }
    }

    /// The next moment an idle client is due to be dropped; nil without clients.
    var nextClientDeadline: Instant? {
        clients.values.filter { !$0.awaitingAnswer && !$0.hasUnsentOutput }.map {
            $0.lastActivity + ControlConnection.idleTimeout
        }.min()
    }

    /// Drops clients that asked nothing and were sent nothing for `idleTimeout`.
    func dropIdleClients() {
        let t = now
        for (fd, client) in clients where client.isIdle(now: t) { dropClient(fd) }
    }

    func dropClient(_ fd: Int32) {
        guard clients.removeValue(forKey: fd) != nil else { return }
        poll.remove(fd)
        FileDescriptor.close(fd)
        if listenerPaused {
            listenerPaused = false
            poll.add(listenFD, token: Token.listener.with(0))
        }
        waiters.removeAll { $0.client == fd }
        killClients.removeAll { $0 == fd }
        stopWatching(fd)
    }

    /// The environment a next start would get, computed afresh from the files.
    func nextEnvironment(_ instance: ManagedInstance) -> Result<ResolvedEnvironment, Error> {
        Result {
            try InstanceEnvironment.compute(
                instance.config, id: instance.id, envFile: options.envFile,
                envFileRequired: options.envFileRequired, supervisorEnvironment: supervisorEnvironment)
        }
    }

    func envAnswer(_ instance: ManagedInstance, reveal: Bool) -> EnvAnswer {
        let next = nextEnvironment(instance)
        let pid = instance.machine.pid
        let spawned = pid == nil ? nil : instance.spawnedEnvironment
        let current = pid.flatMap { ProcFS.environmentVariables($0) }
        var drift: [String] = []
        if let spawned, case .success(let env) = next {
            drift = EnvironmentLayers.drift(
                running: spawned, next: env.variables, ignoring: InstanceEnvironment.notDrift)
        }
        var nextError: String?
        if case .failure(let error) = next { nextError = "\(error)" }
        // Masked here, for every client: by the secrets of the files now, of the run's start, and
        // of whatever the three environments hold under a secret's name.
        var secrets = instance.spawnedSecrets
        if case .success(let env) = next { secrets = secrets.union(env.secrets) }
        for environment in [spawned, current].compactMap({ $0 }) {
            secrets = secrets.union(SecretValues(variables: environment))
        }
        return EnvAnswer(
            instance: instance.info(now: now, detailed: true),
            next: (try? next.get()).map { secrets.display($0.variables, reveal: reveal) }, nextError: nextError,
            spawned: spawned.map { secrets.display($0, reveal: reveal) },
            current: current.map { secrets.display($0, reveal: reveal) }, drift: drift,
            configDigest: configDigest, envFile: options.envFile, revealed: reveal)
    }

    func describeAnswer(_ instance: ManagedInstance) -> DescribeAnswer {
        var sources: [String: String] = [:]
        var nextError: String?
        switch nextEnvironment(instance) {
        case .success(let env):
            for name in env.sortedNames { sources[name] = env.source(of: name)?.description ?? "" }
        case .failure(let error):
            nextError = "\(error)"
        }
        return DescribeAnswer(
            instance: infoWithResources(instance, now: now, detailed: true), sources: sources, nextError: nextError,
            envFile: options.envFile, logs: [instance.out.path, instance.err.path], configDigest: configDigest,
            settings: InstanceSettings.rows(instance.config), stateWarning: stateSaveWarning)
    }
}
