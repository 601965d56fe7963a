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
        if event.hangup && client.halfClosed {
            // Gone both ways (not only done sending): nobody is left to answer.
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
            ]
            if let warning = stateSaveWarning { members.append(("stateWarning", .string(warning))) }
            reply(fd, Response.ok(members))
        case .list:
            reply(fd, rows(instances))
        case .describe, .env:
            guard let instance = resolve(request.targets, fd: fd, single: true)?.first else { return }
            var members: [(String, JSONValue)] = [("instance", instance.info(now: now, detailed: true).json)]
            if request.command == .env || request.command == .describe {
                do {
                    let next = try InstanceEnvironment.compute(
                        instance.config, id: instance.id, envFile: options.envFile,
                        supervisorEnvironment: supervisorEnvironment)
                    var object = JSONObject()
                    for name in next.sortedNames { object[name] = .string(next.variables[name]!) }
                    members.append(("next", .object(object)))
                    var sources = JSONObject()
                    for name in next.sortedNames { sources[name] = .string(next.source(of: name)?.description ?? "") }
                    members.append(("sources", .object(sources)))
                } catch {
                    members.append(("nextError", .string("\(error)")))
                }
                if instance.machine.pid != nil {
                    var spawned = JSONObject()
                    for (name, value) in instance.spawnedEnvironment.sorted(by: { $0.key < $1.key }) {
                        spawned[name] = .string(value)
                    }
                    members.append(("spawned", .object(spawned)))
                }
                members.append(("configDigest", .string(configDigest)))
                members.append(("envFile", .string(options.envFile)))
                members.append(("logs", .array([.string(instance.out.path), .string(instance.err.path)])))
                if let warning = stateSaveWarning { members.append(("stateWarning", .string(warning))) }
            }
            reply(fd, Response.ok(members))
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
            apply(request.command, to: targets)
            let ids = targets.map(\.id)
            // A stop overtaken by a later start or restart is answered too (it lost to the newer word).
            let done: (ManagedInstance) -> Bool =
                request.command == .stop
                ? { $0.isAtRest || $0.wantedUp }
                : { [unowned self] s in
                    [.online, .errored, .exited, .backoff, .stopped].contains(s.machine.status)
                        && !(s.machine.status == .stopped && s.wantedUp) && !self.restartAfterStop.contains(s.id)
                }
            // Without --no-wait, answered once the targets settle; with it, after this pass of
            // the loop, so that the rows show what the request did (a queued stop has begun).
            clients[fd]?.awaitingAnswer = true
            waiters.append(Waiter(client: fd, ids: ids, done: request.wait ? done : { _ in true }))
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
        case .kill:
            clients[fd]?.awaitingAnswer = true
            killClients.append(fd)
            beginShutdown(reason: "fom kill")
        }
    }

    /// start also starts what the targets depend on (as systemd's Wants= does); stop of several
    /// goes dependents first.
    func apply(_ command: Request.Command, to targets: [ManagedInstance]) {
        switch command {
        case .start:
            startWithDependencies(targets)
        case .restart:
            // What the targets depend on is started when down (not restarted): a restart must
            // not stop an instance only to find it cannot come back.
            startWithDependencies(targets.flatMap { $0.config.dependsOn.compactMap { byName[$0] } })
            // Several at once go as stop does, dependents first, then come back in dependency
            // order: a dependent never runs against a dependency that is restarting under it.
            for instance in targets {
                setWanted(instance, true)
                switch instance.machine.phase {
                case .starting, .online:
                    pendingStops[instance.id] = "user"
                    restartAfterStop.insert(instance.id)
                case .stopped, .waiting, .stopping, .backoff, .errored, .exited:
                    pendingStops[instance.id] = nil
                    restartAfterStop.remove(instance.id)
                    feed(instance, .restart(by: "user"))
                }
            }
        case .stop:
            for instance in targets {
                setWanted(instance, false)
                restartAfterStop.remove(instance.id)
                switch instance.machine.phase {
                case .starting, .online: pendingStops[instance.id] = "user"
                case .stopped, .waiting, .stopping, .backoff, .errored, .exited: feed(instance, .stop(by: "user"))
                }
            }
        default:
            break
        }
    }

    /// The answer of list, start, stop and restart: the rows, and when the config was read.
    func rows(_ targets: [ManagedInstance]) -> JSONValue {
        let t = now
        return Response.ok([
            ("instances", .array(targets.map { $0.info(now: t, detailed: false).json })),
            ("configDigest", .string(configDigest)),
        ])
    }

    /// Wants the instances and everything they depend on up, and starts those that are down.
    func startWithDependencies(_ instances: [ManagedInstance]) {
        var queue = instances
        var seen = Set<Int>()
        while let instance = queue.popLast() {
            guard seen.insert(instance.id).inserted else { continue }
            pendingStops[instance.id] = nil
            restartAfterStop.remove(instance.id)
            setWanted(instance, true)
            feed(instance, .start)
            queue.append(contentsOf: instance.config.dependsOn.compactMap { byName[$0] })
        }
    }

    func setWanted(_ instance: ManagedInstance, _ up: Bool) {
        if instance.wantedUp != up || state.wanted[instance.name] != up {
            instance.wantedUp = up
            state.wanted[instance.name] = up
            stateDirty = true
        }
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
            if let instance = byName[target] ?? Int(target).flatMap({ id in instances.first { $0.id == id } }) {
                if seen.insert(instance.id).inserted { result.append(instance) }
                continue
            }
            var message = "unknown instance \"\(target)\""
            if target == "all" {
                message = "\"all\" names every instance; this command takes one"
            } else if let hint = NameSuggestion.closest(to: target, in: instances.map(\.name)) {
                message += "; did you mean \"\(hint)\"?"
            } else {
                message += " (the daemon runs \(instances.map { "\($0.id) \($0.name)" }.joined(separator: ", ")))"
            }
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
            let targets = waiter.ids.compactMap { id in instances.first { $0.id == id } }
            if targets.allSatisfy(waiter.done) { answered.append(waiter) } else { remaining.append(waiter) }
        }
        // Set before answering: the next pipelined request of a client may add a waiter.
        waiters = remaining
        for waiter in answered {
            let targets = waiter.ids.compactMap { id in instances.first { $0.id == id } }
            clients[waiter.client]?.awaitingAnswer = false
            reply(
                waiter.client,
                rows(targets))
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
    }
}
