import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `fom upgrade`, the new binary's side (`fom daemon --handover FD --previous-binary FD`): check
/// the handed state whole (format, checksum, every field, every descriptor) before anything is
/// touched. If it cannot be taken, exec the previous binary again with the same state, which
/// then goes on as before and tells the `fom upgrade` client why: never a half-taken state.
extension Supervisor {
    /// Runs the daemon from a handed state; returns its exit code, or execs the previous binary.
    public static func takeOver(stateFD: Int32, previousBinary: Int32, refusedFD: Int32?, signalFD: Int32) -> Int32 {
        let environment = Files.environment()
        // Why the new binary refused, in a file of its own: the reason never goes on a command line.
        let refused = refusedFD.map { fd -> String in
            let text = (try? Handover.readWhole(fd)).map { String(decoding: $0, as: UTF8.self) } ?? "(no reason given)"
            FileDescriptor.close(fd)
            return text
        }
        let supervisor: Supervisor
        let handed: HandoverReader
        do {
            let bytes = try Handover.readWhole(stateFD)
            handed = HandoverReader(try HandoverDocument.decode(String(decoding: bytes, as: UTF8.self)))
            // Test-only: a binary that refuses every handed state (the daemon taking back its own
            // refused state ignores it).
            if refused == nil, environment["FOM_TEST_REFUSE_HANDOVER"] == "1" {
                throw HandoverError("FOM_TEST_REFUSE_HANDOVER=1 (a test setting) makes it refuse every handed state")
            }
            supervisor = try handedOver(handed, environment: environment)
        } catch {
            let reason = "\(error)"
            if refused != nil {
                // The previous binary cannot take back its own state: nothing is left to go back to.
                try? FileDescriptor.writeAll(2, "fom daemon: cannot take back the handed state either: \(reason)\n")
                return 1
            }
            try? FileDescriptor.writeAll(
                2, "fom daemon: cannot take the handed state (\(reason)); going back to the previous binary\n")
            guard let reasonFD = try? Handover.anonymousFile(named: "fom-handover-refused", holding: reason) else {
                try? FileDescriptor.writeAll(2, "fom daemon: cannot write the reason down: going back without it\n")
                return 1
            }
            let failure = Handover.exec(
                "/proc/self/fd/\(previousBinary)",
                arguments: [
                    "fom", "daemon", "--handover", "\(stateFD)", "--previous-binary", "\(previousBinary)", "--refused",
                    "\(reasonFD)",
                ])
            try? FileDescriptor.writeAll(2, "fom daemon: \(failure)\n")
            return 1
        }
        return supervisor.resume(
            handed, signalFD: signalFD, stateFD: stateFD, previousBinary: previousBinary, refused: refused)
    }

    static func handedOver(_ r: HandoverReader, environment: [String: String]) throws -> Supervisor {
        let path = try r.string("configPath")
        let text = try r.string("configText")
        let home = environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let config: SupervisorConfig
        do {
            config = try SupervisorConfig.parse(text: text, path: path, runtimeDirectory: home)
        } catch {
            throw HandoverError(
                "the running supervisor.json does not load here: "
                    + error.diagnostics.map(\.description).joined(separator: "; "))
        }
        let runtime = RuntimeDirectory(configDirectory: config.directory, environment: environment)
        let handedRuntime = try r.string("runtime")
        guard runtime.path == handedRuntime else {
            throw HandoverError("the runtime directory would be \(runtime.path), not \(handedRuntime)")
        }
        var options = Options(
            config: config, envFile: try r.string("envFile"), runtime: runtime, echoEvents: try r.bool("echoEvents"),
            configDigest: Fingerprint.of(text))
        options.envFileRequired = try r.bool("envFileRequired")
        let supervisor = try Supervisor(options)
        try supervisor.restore(r)
        return supervisor
    }

    /// Takes every part of the handed state, in memory only: a throw leaves nothing changed
    /// outside this object (no descriptor closed, no flag changed, no process signalled).
    func restore(_ r: HandoverReader) throws(HandoverError) {
        let t = now
        func descriptor(_ item: HandoverReader, _ key: String, optional: Bool = false) throws(HandoverError) -> Int32 {
            guard let fd = Int32(exactly: try item.int(key)) else { throw item.fail("\(key) is not a descriptor") }
            if fd < 0 && optional { return -1 }
            guard Handover.isOpen(fd) else { throw item.fail("\(key) \(fd) is not open in the new binary") }
            return fd
        }
        let journalFD = Int32(exactly: r.optionalInt("journalFD") ?? -1) ?? -1
        if journalFD >= 0 {
            guard Handover.isOpen(journalFD) else {
                throw HandoverError("journalFD \(journalFD) is not open in the new binary")
            }
            do {
                journal = try CaptureJournal(fd: journalFD)
            } catch {
                throw HandoverError("the capture journal cannot be mapped: \(error)")
            }
        }
        var seen = Set<Int>()
        for item in try r.array("instances") {
            let id = try item.int("id")
            let name = try item.string("name")
            guard let instance = byID[id], instance.name == name else {
                throw item.fail("instance \(id) (\(name)) is not in supervisor.json as this binary reads it")
            }
            seen.insert(id)
            instance.machine.restore(try InstanceMachine.Parts(json: try item.child("machine"), now: t))
            instance.wantedUp = try item.bool("wantedUp")
            for (key, isErr) in [("stdoutFD", false), ("stderrFD", true)] {
                let fd = try descriptor(item, key, optional: true)
                guard fd >= 0 else { continue }
                pipes[fd] = (instance, isErr)
                if isErr { instance.stderrFD = fd } else { instance.stdoutFD = fd }
            }
            for leftover in try item.array("leftovers") {
                guard let pid = Int32(exactly: try leftover.int("pid")) else { throw leftover.fail("pid is not a pid") }
                let pidfd = try descriptor(leftover, "pidfd")
                instance.leftovers[pid] = pidfd
                pidfds[pidfd] = (instance, pid)
            }
            guard let startTime = UInt64(try item.string("startTime")) else {
                throw item.fail("startTime is not a number")
            }
            instance.startTime = startTime
            instance.lastCommand = try item.strings("lastCommand")
            instance.setSpawned(try item.stringMap("spawnedEnvironment"), base: supervisorEnvironment)
            // Absent from an older daemon's document: the env answer then masks by the rest.
            instance.spawnedSecrets = SecretValues((try? item.strings("spawnedSecrets")) ?? [])
            instance.memoryWasUnderLimit = try item.bool("memoryWasUnderLimit")
            instance.history = try item.strings("history")
            instance.waitingFor = item.optionalString("waitingFor")
            instance.startedWallMs = Int64(try item.int("startedWallMs"))
            instance.onlineWallMs = Int64(try item.int("onlineWallMs"))
            // Absent from an older daemon's document: not known, so what the run leaves is looked
            // for on the whole host until the next spawn.
            instance.runIsDaemonChild = item.optionalBool("runIsDaemonChild") ?? false
            if item.optionalInt("adoptedPidfd") != nil {
                handover.adopted[try descriptor(item, "adoptedPidfd")] = instance
                handover.adoptedNames.insert(name)
            }
            for (key, isErr) in [("outSpool", false), ("errSpool", true)] {
                guard let spool = item.optionalChild(key) else { continue }
                let fd = try descriptor(spool, "fd")
                guard let journal, let slot = Int32(exactly: try spool.int("slot")), journal.claim(slot) else {
                    throw spool.fail("its journal entry is not in the handed capture journal")
                }
                guard let end = Spool.end(fd) else { throw spool.fail("the spool cannot be read") }
                setSpool(
                    instance, isErr, StreamSpool(fd: fd, slot: slot, end: end, freed: Int64(try spool.int("freed"))))
            }
            instance.out.partial = try item.bytes("outPartial")
            instance.err.partial = try item.bytes("errPartial")
        }
        if let missing = instances.first(where: { !seen.contains($0.id) }) {
            throw HandoverError("the handed state has no instance \(missing.id) (\(missing.name))")
        }
        orchestrator = try Orchestrator(handover: try r.child("orchestrator"))
        guard Set(orchestrator.ids) == Set(instances.map(\.id)) else {
            throw HandoverError("the orchestrator's instances are not the daemon's instances")
        }
        listenFD = try descriptor(r, "listenFD")
        handover.lockFD = try descriptor(r, "lockFD", optional: true)
        handover.holderFD = try descriptor(r, "holderFD", optional: true)
        for item in try r.array("held") {
            handover.heldKeys[try descriptor(item, "fd")] = try item.string("key")
        }
        for item in try r.array("clients") {
            let fd = try descriptor(item, "fd")
            let client = ControlConnection(now: now)
            client.input = try item.bytes("input")
            client.queue(try item.bytes("output"))
            client.closeWhenFlushed = try item.bool("closeWhenFlushed")
            client.awaitingAnswer = try item.bool("awaitingAnswer")
            clients[fd] = client
        }
        started = Clock.monotonicNanoseconds() - Int64(try r.int("upNs"))
        handover.previousVersion = try r.string("version")
        handover.reexecutedWallMs = Clock.wallMilliseconds()
    }

    /// Goes on where the previous binary stopped: the descriptors back in the poll set (and
    /// close-on-exec again), a fresh ready probe for each starting instance, the answer to the
    /// `fom upgrade` client, then the loop.
    func resume(_ r: HandoverReader, signalFD: Int32, stateFD: Int32, previousBinary: Int32, refused: String?) -> Int32
    {
        Limits.raiseOpenFilesToHardLimit()
        self.signalFD = signalFD
        Signals.ignore(SIGPIPE)
        isSubreaper = Signals.becomeSubreaper()
        poll.add(signalFD, token: Token.signal.with(0))
        for fd in inheritedDescriptors { Handover.setInherited(fd, false) }
        FileDescriptor.close(stateFD)
        FileDescriptor.close(previousBinary)
        poll.add(listenFD, token: Token.listener.with(0))
        for fd in clients.keys { poll.add(fd, token: Token.client.with(Int(fd))) }
        for fd in pipes.keys { poll.add(fd, token: Token.pipe.with(Int(fd))) }
        for fd in pidfds.keys { poll.add(fd, token: Token.pidfd.with(Int(fd))) }
        for fd in handover.adopted.keys { poll.add(fd, token: Token.pidfd.with(Int(fd))) }
        if handover.holderFD >= 0 { poll.add(handover.holderFD, token: Token.pidfd.with(Int(handover.holderFD))) }
        if journal == nil {
            // Handed over by a binary from before spools: streams started from now on get one,
            // and a holder of this binary takes the place of the old one, which would keep only
            // the first descriptor of each (the pipe, not its spool).
            setUpJournal(held: [])
            if handover.holderFD >= 0 { swapHolderForOneOfThisBinary() }
        }
        for instance in instances {
            if case .starting = instance.machine.phase { startProbe(instance) }
        }
        let binary = (try? r.string("binary")) ?? "?"
        let from = handover.previousVersion ?? "?"
        let upgradeClient = Int32(exactly: (try? r.int("upgradeClient")) ?? -1) ?? -1
        let running = instances.filter { $0.machine.pid != nil }.count
        if let refused {
            handover.reexecutedWallMs = nil
            handover.previousVersion = nil
            log("fom", "upgrade refused by \(binary): \(refused); back on the previous binary, pid \(getpid())")
            answerUpgrade(
                upgradeClient,
                Response.error(
                    "not upgraded: \(binary) refused the handed state: \(refused); the daemon (pid \(getpid())) goes on with its previous binary and every instance as it was"
                ))
        } else {
            log(
                "fom",
                "daemon re-executed: \(binary) (version \(FomVersion.string), was \(from)), pid \(getpid()), \(running) instance(s) running, none restarted"
            )
            answerUpgrade(
                upgradeClient,
                Response.ok([
                    ("pid", JSONValue(Int(getpid()))), ("from", .string(from)), ("to", .string(FomVersion.string)),
                    ("binary", .string(binary)), ("running", JSONValue(running)),
                    ("instances", JSONValue(instances.count)),
                ]))
        }
        for (fd, client) in clients { flush(fd, client) }
        // Children that ended during the exec are reaped now (their SIGCHLD may be pending too).
        reapChildren()
        settle()
        return runLoop()
    }

    func answerUpgrade(_ fd: Int32, _ answer: JSONValue) {
        guard let client = clients[fd] else { return }
        client.awaitingAnswer = false
        reply(fd, answer)
        // A request pipelined after `upgrade` is served now, by the binary that runs.
        if let client = clients[fd] { processInput(fd, client) }
    }
}
