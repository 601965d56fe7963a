import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `fom upgrade`, the old binary's side: once no client waits for an answer and no instance has
/// orchestrator work in flight, the whole state goes to an anonymous file, the descriptors that
/// matter lose close-on-exec, and the new binary replaces this one in the same process. The
/// instances stay children of the same pid; their pipes stay open; nothing is stopped.
extension Supervisor {
    public var daemonLockFD: Int32 {
        get { handover.lockFD }
        set { handover.lockFD = newValue }
    }

    func requestUpgrade(client fd: Int32, binary: String?) {
        guard !shuttingDown else { return reply(fd, Response.error("the daemon is shutting down")) }
        guard handover.pending == nil else { return reply(fd, Response.error("an upgrade is already under way")) }
        clients[fd]?.awaitingAnswer = true
        handover.pending = HandoverInfo.Pending(client: fd, binary: binary, since: Clock.monotonicNanoseconds())
        log("fom", "upgrade asked for (\(binary ?? "own executable")): waiting for a quiet moment")
    }

    /// Nothing in flight that a handed state would have to carry as a half-done step.
    var isQuietForUpgrade: Bool {
        waiters.isEmpty && killClients.isEmpty && strangers.isEmpty && replacements.isEmpty && queue.isEmpty
            && !instances.contains { orchestrator.isBusy($0.id) }
    }

    /// What keeps the daemon from being quiet, for the message of an upgrade that gave up.
    var busyNote: String {
        var parts: [String] = []
        if !waiters.isEmpty { parts.append("\(waiters.count) client(s) waiting for an answer") }
        let busy = instances.filter { orchestrator.isBusy($0.id) }.map(\.name)
        if !busy.isEmpty { parts.append("work in flight for " + busy.joined(separator: ", ")) }
        if !strangers.isEmpty { parts.append(strangersNote) }
        if !replacements.isEmpty { parts.append("a reload in flight") }
        return parts.isEmpty ? "work in flight" : parts.joined(separator: "; ")
    }

    func upgradeIfQuiet() {
        guard let pending = handover.pending else { return }
        guard clients[pending.client] != nil else {
            handover.pending = nil
            log("fom", "upgrade abandoned: its client left")
            return
        }
        func fail(_ message: String) {
            handover.pending = nil
            clients[pending.client]?.awaitingAnswer = false
            log("fom", "not upgraded: \(message)")
            reply(pending.client, Response.error("not upgraded: \(message)"))
        }
        guard !shuttingDown else { return fail("the daemon is shutting down") }
        guard isQuietForUpgrade else {
            // Checked at every wake-up; a daemon that stays busy this long is not upgraded.
            if Clock.monotonicNanoseconds() - pending.since > HandoverInfo.quietWait {
                fail("still busy after 2m (\(busyNote)); nothing changed, try again")
            }
            return
        }
        handover.pending = nil
        let binary = pending.binary ?? Handover.ownExecutablePath()
        if let problem = handoverProbe(binary) { return fail(problem) }
        guard let configText = Files.readText(options.config.path), Fingerprint.of(configText) == configDigest else {
            return fail(
                "\(options.config.path) changed since the daemon read it; run 'fom reload' (or restore the file) first")
        }
        saveState()
        flushClients()
        let previous: Int32
        do {
            previous = try Handover.openOwnExecutable()
        } catch {
            return fail(error.description)
        }
        let body = handoverBody(upgradeClient: pending.client, binary: binary, configText: configText)
        let memfd: Int32
        do {
            memfd = try Handover.anonymousFile(named: "fom-handover", holding: HandoverDocument.encode(body))
        } catch {
            FileDescriptor.close(previous)
            return fail(error.description)
        }
        let kept = inheritedDescriptors + [memfd, previous]
        for fd in kept { Handover.setInherited(fd, true) }
        log("fom", "upgrading: exec \(binary) in pid \(getpid()), handing over \(instances.count) instance(s)")
        let error = Handover.exec(
            binary, arguments: [binary, "daemon", "--handover", "\(memfd)", "--previous-binary", "\(previous)"])
        // Still here: the exec failed and nothing was handed over.
        for fd in kept { Handover.setInherited(fd, false) }
        FileDescriptor.close(memfd)
        FileDescriptor.close(previous)
        clients[pending.client]?.awaitingAnswer = false
        log("fom", "not upgraded: \(error)")
        reply(pending.client, Response.error("not upgraded: \(error); the daemon goes on as it was"))
    }

    /// What `fom daemon --handover-probe` prints: a binary that answers otherwise is not execed.
    public static var handoverProbeAnswer: String { "fom-handover \(HandoverDocument.format) \(FomVersion.string)" }
    static let handoverProbeTimeoutMs = 5000

    /// Whether `binary` is a fom that can take this daemon's state, asked before the exec: once
    /// exec'd, a program that is not one (`/bin/true`) would end the daemon. It is run (argv, no
    /// shell) with the daemon's environment and must print the probe answer with this binary's
    /// handover format, and exit 0, within 5 s. Nil: it can; else why not, naming the binary.
    func handoverProbe(_ binary: String) -> String? {
        if let reason = Files.notExecutableReason(binary) { return "\(binary) \(reason), so it is not an executable file" }
        let run: BriefRun
        do {
            run = try Spawn.runBriefly(
                executable: binary, arguments: [binary, "daemon", "--handover-probe"],
                environment: supervisorEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                timeoutMs: Self.handoverProbeTimeoutMs)
        } catch {
            return "\(binary) cannot be run: \(error)"
        }
        let said = String(decoding: run.output, as: UTF8.self)
        let first = said.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let quoted = first.isEmpty ? "nothing" : "\"\(first.prefix(80))\""
        guard let status = run.status else {
            return "\(binary) is not a fom that can take the daemon's state: 'daemon --handover-probe' did not end within \(Self.handoverProbeTimeoutMs / 1000)s"
        }
        let words = first.split(separator: " ")
        guard status == .exited(0), words.count >= 2, words[0] == "fom-handover", let format = Int(words[1]) else {
            let how: String
            switch status {
            case .exited(let code): how = "exit code \(code)"
            case .signaled(let s): how = "killed by signal \(s)"
            }
            return "\(binary) is not a fom that can take the daemon's state: 'daemon --handover-probe' printed \(quoted) (\(how)), not the handover answer"
        }
        guard format == HandoverDocument.format else {
            return "\(binary) takes handover format \(format), and this daemon hands format \(HandoverDocument.format)"
        }
        return nil
    }

    /// Every descriptor the next binary takes over (the signalfd and epoll are rebuilt).
    var inheritedDescriptors: [Int32] {
        var fds = [listenFD] + Array(clients.keys) + Array(pipes.keys) + Array(pidfds.keys)
        if handover.lockFD >= 0 { fds.append(handover.lockFD) }
        if handover.holderFD >= 0 { fds.append(handover.holderFD) }
        fds += handover.adopted.keys
        if let journal { fds.append(journal.fd) }
        for instance in instances {
            for spool in [instance.outSpool, instance.errSpool] { if let spool { fds.append(spool.fd) } }
        }
        return fds
    }

    /// The whole state, as the next binary reads it back in `restore(handed:)`.
    func handoverBody(upgradeClient: Int32, binary: String, configText: String) -> JSONValue {
        let t = now
        var o = JSONObject()
        o["version"] = .string(FomVersion.string)
        o["pid"] = JSONValue(Int(getpid()))
        o["binary"] = .string(binary)
        o["configPath"] = .string(options.config.path)
        o["configText"] = .string(configText)
        o["envFile"] = .string(options.envFile)
        o["envFileRequired"] = .bool(options.envFileRequired)
        o["echoEvents"] = .bool(options.echoEvents)
        o["runtime"] = .string(options.runtime.path)
        o["upNs"] = JSONValue(Int(Clock.monotonicNanoseconds() - started))
        o["listenFD"] = JSONValue(Int(listenFD))
        o["lockFD"] = JSONValue(Int(handover.lockFD))
        o["upgradeClient"] = JSONValue(Int(upgradeClient))
        o["holderFD"] = JSONValue(Int(handover.holderFD))
        o["journalFD"] = JSONValue(Int(journal?.fd ?? -1))
        o["held"] = .array(
            handover.heldKeys.sorted { $0.key < $1.key }.map {
                ["fd": JSONValue(Int($0.key)), "key": .string($0.value)]
            })
        o["clients"] = .array(
            clients.sorted { $0.key < $1.key }.map { fd, c in
                [
                    "fd": JSONValue(Int(fd)), "input": JSONValue(bytes: c.input),
                    "output": JSONValue(bytes: c.unsentBytes),
                    "closeWhenFlushed": .bool(c.closeWhenFlushed), "awaitingAnswer": .bool(c.awaitingAnswer),
                ]
            })
        o["instances"] = .array(instances.map { instanceJSON($0, now: t) })
        o["orchestrator"] = orchestrator.handoverJSON()
        return .object(o)
    }

    func instanceJSON(_ i: ManagedInstance, now t: Instant) -> JSONValue {
        var o = JSONObject()
        o["id"] = JSONValue(i.id)
        o["name"] = .string(i.name)
        o["wantedUp"] = .bool(i.wantedUp)
        o["machine"] = i.machine.parts.json(now: t)
        o["stdoutFD"] = JSONValue(Int(i.stdoutFD))
        o["stderrFD"] = JSONValue(Int(i.stderrFD))
        o["leftovers"] = .array(
            i.leftovers.sorted { $0.key < $1.key }.map {
                ["pid": JSONValue(Int($0.key)), "pidfd": JSONValue(Int($0.value))]
            })
        o["startTime"] = .string(String(i.startTime))
        o["lastCommand"] = .array(i.lastCommand.map { .string($0) })
        o["spawnedEnvironment"] = .object(
            JSONObject(i.spawnedEnvironment.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) }))
        o["spawnedSecrets"] = .array(i.spawnedSecrets.values.map { .string($0) })
        o["memoryWasUnderLimit"] = .bool(i.memoryWasUnderLimit)
        o["history"] = .array(i.history.map { .string($0) })
        o["waitingFor"] = JSONValue(optional: i.waitingFor)
        o["startedWallMs"] = JSONValue(Int(i.startedWallMs))
        o["onlineWallMs"] = JSONValue(Int(i.onlineWallMs))
        o["runIsDaemonChild"] = .bool(i.runIsDaemonChild)
        o["adoptedPidfd"] = JSONValue(optional: handover.adopted.first { $0.value === i }.map { Int($0.key) })
        for (key, spool) in [("outSpool", i.outSpool), ("errSpool", i.errSpool)] {
            o[key] =
                spool.map {
                    ["fd": JSONValue(Int($0.fd)), "slot": JSONValue(Int($0.slot)), "freed": JSONValue(Int($0.freed))]
                } ?? .null
        }
        o["outPartial"] = JSONValue(bytes: i.out.partial)
        o["errPartial"] = JSONValue(bytes: i.err.partial)
        return .object(o)
    }
}
