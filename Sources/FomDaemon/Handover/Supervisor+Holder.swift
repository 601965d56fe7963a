import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The daemon's side of the descriptor holder (`DescriptorHolder`): started with the daemon,
/// told of every pipe as it is attached and of every pipe closed; at start, a daemon that finds
/// a holder left by a crashed one takes the pipes back and adopts the instances still running
/// (by pid, start time and marker), so that they keep their processes and nothing they printed
/// is lost.
extension Supervisor {
    var holderSocket: String { options.runtime.path + "/holder.sock" }

    /// At start: the descriptors a crashed daemon left with its holder, or a new holder.
    func connectHolder() -> [(key: String, fds: [Int32])] {
        if let fd = PacketSockets.connect(path: holderSocket) {
            if var taken = take(from: fd) {
                setHolder(fd)
                let held = taken.firstIndex(where: { $0.key == "journal" }).map { taken.remove(at: $0).fds }
                setUpJournal(held: held ?? [])
                return taken
            }
            FileDescriptor.close(fd)
        }
        startHolder()
        setUpJournal(held: [])
        return []
    }

    /// The capture journal: the one the holder kept for a crashed daemon, or a new one that the
    /// holder is given. Without one, streams are read without spools.
    func setUpJournal(held fds: [Int32]) {
        for extra in fds.dropFirst() { FileDescriptor.close(extra) }
        if let fd = fds.first {
            do {
                journal = try CaptureJournal(fd: fd)
                handover.journalFromHolder = true
            } catch {
                FileDescriptor.close(fd)
                log(
                    "fom",
                    "the crashed daemon's capture journal cannot be read (\(error)): its last writes are not checked")
            }
        }
        if journal == nil {
            do {
                let made = try CaptureJournal.create()
                journal = made
                tellHolder("add journal", fds: [made.fd])
            } catch {
                log(
                    "fom",
                    "no capture journal (\(error)): logs are captured without spools, and a crash of the daemon can lose a read"
                )
            }
        }
        journal?.setCrashPoint(supervisorEnvironment["FOM_TEST_CRASH"])
    }

    func startHolder() {
        let exe = Handover.ownExecutablePath()
        let nullDevice = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if nullDevice >= 0 { FileDescriptor.close(nullDevice) } }
        do {
            // No instance marker, its own session, no output: nothing mistakes it for an instance.
            _ = try Spawn.start(
                executable: exe, arguments: [exe, "daemon", "--hold", holderSocket],
                environment: ["PATH=/usr/local/bin:/usr/bin:/bin"], directory: options.runtime.path,
                outputDescriptor: nullDevice)
        } catch {
            log("fom", "no descriptor holder (\(error)): a crash of the daemon would restart every instance")
            return
        }
        let deadline = Clock.monotonicNanoseconds() + 3_000_000_000
        while Clock.monotonicNanoseconds() < deadline {
            // A holder that was just killed may still take a connection and then reset it: try again.
            if let fd = PacketSockets.connect(path: holderSocket) {
                if take(from: fd) != nil {
                    setHolder(fd)
                    return
                }
                FileDescriptor.close(fd)
            }
            usleep(2000)
        }
        log("fom", "the descriptor holder did not come up: a crash of the daemon would restart every instance")
    }

    /// `take`: every descriptor the holder has, with its key; nil when it does not answer.
    func take(from fd: Int32) -> [(key: String, fds: [Int32])]? {
        PacketSockets.setReceiveTimeout(fd, milliseconds: 2000)
        do {
            try Handover.send(fd, fds: [], data: Array("take".utf8))
        } catch {
            return nil
        }
        var taken: [(key: String, fds: [Int32])] = []
        while true {
            let record: (data: [UInt8], fds: [Int32])
            do {
                record = try Handover.receive(fd)
            } catch {
                log("fom", "the descriptor holder did not answer: \(error)")
                for (_, held) in taken { for fd in held { FileDescriptor.close(fd) } }
                return nil
            }
            if record.data.isEmpty && record.fds.isEmpty {
                log("fom", "the descriptor holder closed the connection")
                for (_, held) in taken { for fd in held { FileDescriptor.close(fd) } }
                return nil
            }
            let text = String(decoding: record.data, as: UTF8.self)
            if text == "end" { return taken }
            guard text.hasPrefix("held "), !record.fds.isEmpty else {
                for fd in record.fds { FileDescriptor.close(fd) }
                continue
            }
            taken.append((String(text.dropFirst(5)), record.fds))
        }
    }

    /// Tells the holder about an instance's new pipes and their spools (right after the spawn).
    /// The key says whose they are: name, pid, start time, stream and journal entry (-1: none).
    func holdPipes(of instance: ManagedInstance, pid: Int32) {
        for (fd, isErr) in [(instance.stdoutFD, false), (instance.stderrFD, true)] where fd >= 0 {
            let key =
                "\(instance.name) \(pid) \(instance.startTime) \(isErr ? "err" : "out") \(spool(instance, isErr)?.slot ?? -1)"
            handover.heldKeys[fd] = key
            tellHolder("add \(key)", fds: heldDescriptors(fd))
        }
    }

    /// A pipe and, when it has one, its spool: what the holder keeps for it.
    func heldDescriptors(_ pipe: Int32) -> [Int32] {
        guard let (instance, isErr) = pipes[pipe], let spool = spool(instance, isErr) else { return [pipe] }
        return [pipe, spool.fd]
    }

    /// The daemon closed a pipe: the holder lets its duplicate go.
    func releaseHeld(_ fd: Int32) {
        guard let key = handover.heldKeys.removeValue(forKey: fd) else { return }
        tellHolder("drop \(key)", fds: [])
    }

    func tellHolder(_ text: String, fds: [Int32]) {
        guard handover.holderFD >= 0 else { return }
        do {
            try Handover.send(handover.holderFD, fds: fds, data: Array(text.utf8))
        } catch {
            dropHolder()
            guard text != "bye" else { return }
            replaceHolder("\(error)")
        }
    }

    /// The connection to the holder, watched: it turns readable only when the holder is gone
    /// (it speaks only to answer `take`). It rides on the pidfd token, which means "ended" too.
    func setHolder(_ fd: Int32) {
        handover.holderFD = fd
        poll.add(fd, token: Token.pidfd.with(Int(fd)))
    }

    func dropHolder() {
        guard handover.holderFD >= 0 else { return }
        poll.remove(handover.holderFD)
        FileDescriptor.close(handover.holderFD)
        handover.holderFD = -1
    }

    /// The holder was killed: a new one gets every pipe held now (once; a second failure is logged).
    func replaceHolder(_ why: String) {
        guard !handover.restartingHolder else {
            return log("fom", "no descriptor holder (\(why)): a crash of the daemon would restart every instance")
        }
        log("fom", "the descriptor holder is gone (\(why)): starting a new one")
        handover.restartingHolder = true
        defer { handover.restartingHolder = false }
        startHolder()
        if let journal { tellHolder("add journal", fds: [journal.fd]) }
        for (fd, key) in handover.heldKeys.sorted(by: { $0.key < $1.key }) {
            tellHolder("add \(key)", fds: heldDescriptors(fd))
        }
        if handover.holderFD >= 0 {
            log("fom", "a new descriptor holder holds the \(handover.heldKeys.count) pipe(s) of the running instances")
        }
    }

    /// Ends the holder (it removes its socket as it goes) and starts one of this binary, given
    /// every pipe, spool and the journal.
    func swapHolderForOneOfThisBinary() {
        tellHolder("bye", fds: [])
        dropHolder()
        let deadline = Clock.monotonicNanoseconds() + 2_000_000_000
        while Files.exists(holderSocket) && Clock.monotonicNanoseconds() < deadline { usleep(2000) }
        replaceHolder("it came from the previous binary")
    }

    /// The daemon exits cleanly: its holder has nothing left to hold.
    func dismissHolder() {
        tellHolder("bye", fds: [])
        dropHolder()
    }

    /// `fom kill` with no daemon: the holder of the daemon that died goes too.
    public static func dismissHolder(runtime: RuntimeDirectory) {
        guard let fd = PacketSockets.connect(path: runtime.path + "/holder.sock") else { return }
        try? Handover.send(fd, fds: [], data: Array("bye".utf8))
        FileDescriptor.close(fd)
    }

    /// Adopts the instances whose processes still run (same pid, same start time, their marker),
    /// with the pipes and spools taken from the holder. Every journal entry is settled first
    /// (the crashed daemon's last write landed, or is written again), and what is left in the
    /// spools and pipes of processes that ended is written to their logs and let go: nothing an
    /// instance printed is lost, and nothing is written twice.
    func adopt(_ taken: [(key: String, fds: [Int32])]) {
        var groups: [String: [HeldStream]] = [:]
        for (key, fds) in taken {
            let words = key.split(separator: " ")
            // Four words: a key from a daemon before spools (no journal entry).
            guard words.count == 4 || words.count == 5, let slot = words.count == 5 ? Int32(words[4]) : -1 else {
                for fd in fds { FileDescriptor.close(fd) }
                tellHolder("drop \(key)", fds: [])
                continue
            }
            let stream = HeldStream(
                isErr: words[3] == "err", pipe: fds[0], spool: fds.count > 1 ? fds[1] : -1, slot: slot, key: key)
            groups[words[0...2].joined(separator: " "), default: []].append(stream)
        }
        for (run, streams) in groups.sorted(by: { $0.key < $1.key }) {
            let words = run.split(separator: " ")
            let name = String(words[0])
            let instance = byName[name]
            if let instance, let pid = Int32(words[1]), let startTime = UInt64(words[2]),
                instance.machine.phase == .stopped, !handover.adoptedNames.contains(name),
                ProcFS.isSameRun(pid, startTime: startTime),
                let environ = ProcFS.environment(pid), environ.contains(instance.marker),
                runsCurrentCommand(instance, pid: pid), let pidfd = Signals.openPidfd(pid)
            {
                adoptRun(instance, pid: pid, startTime: startTime, pidfd: pidfd, environ: environ, streams: streams)
                continue
            }
            for stream in streams {
                guard let instance else {
                    FileDescriptor.close(stream.pipe)
                    if stream.spool >= 0 { FileDescriptor.close(stream.spool) }
                    tellHolder("drop \(stream.key)", fds: [])
                    continue
                }
                // What the ended run printed: into its log, as at any exit, then let go.
                attachHeld(stream, to: instance)
                var rounds = 0
                while rounds < 256, case .data = take(stream.pipe, instance, stream.isErr) { rounds += 1 }
                closePipe(stream.pipe)
            }
        }
    }

    /// A pipe and its spool as the holder kept them, with the key it knew them by.
    struct HeldStream {
        let isErr: Bool
        let pipe: Int32
        /// -1: the stream had no spool.
        let spool: Int32
        let slot: Int32
        let key: String
    }

    /// A held pipe back as the instance's stream, with its spool when the journal has its entry:
    /// that entry is settled against the log, and what the crashed daemon had taken from the
    /// pipe and not written yet is written now.
    func attachHeld(_ stream: HeldStream, to instance: ManagedInstance) {
        FileDescriptor.setNonBlocking(stream.pipe)
        pipes[stream.pipe] = (instance, stream.isErr)
        if stream.isErr { instance.stderrFD = stream.pipe } else { instance.stdoutFD = stream.pipe }
        handover.heldKeys[stream.pipe] = stream.key
        let sink = stream.isErr ? instance.err : instance.out
        if var spool = reclaim(stream, into: sink), let journal {
            sink.drain(&spool, journal: journal, buffer: readBuffer, final: false)
            setSpool(instance, stream.isErr, spool)
        } else if stream.spool >= 0 {
            FileDescriptor.close(stream.spool)
        }
    }

    /// A held stream's spool back in use, its journal entry settled against the log: the spool
    /// is written from where the log ends. Nil when it had none (or its entry is not in the journal).
    func reclaim(_ stream: HeldStream, into sink: LogFile) -> StreamSpool? {
        guard stream.spool >= 0, let journal, journal.claim(stream.slot), let end = Spool.end(stream.spool) else {
            return nil
        }
        if handover.journalFromHolder {
            sink.settle(journal, slot: stream.slot)
        } else {
            // The journal the spool was recorded in is gone: how far the log has it is unknown.
            // Going on from its end may lose the crashed daemon's last write; starting over
            // would write everything twice.
            journal.skip(stream.slot, to: end)
            log(
                "fom", "the capture journal was lost: what a crashed daemon had not written of \(stream.key) is skipped"
            )
        }
        FileDescriptor.setNonBlocking(stream.pipe)
        return StreamSpool(fd: stream.spool, slot: stream.slot, end: end)
    }

    /// Whether the process runs the command the config gives now: one started from an older
    /// supervisor.json is stopped and started again, as before there was a holder.
    func runsCurrentCommand(_ instance: ManagedInstance, pid: Int32) -> Bool {
        let argv = instance.config.resolvedCommand(pythonExists: Files.isExecutable)
        var running: [String] = []
        if let bytes = Files.readBytes("/proc/\(pid)/cmdline", limit: 1 << 20) {
            running = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            if running.last == "" { running.removeLast() }
        }
        // The arguments exactly, the program by its last path component: a shim (pyenv) runs as
        // `bash .../shims/python3 ARGS` and then re-execs with the full path.
        func base(_ path: String) -> Substring { path.split(separator: "/").last ?? Substring(path) }
        let arguments = Array(argv.dropFirst())
        guard let program = argv.first, running.count >= argv.count,
            Array(running.suffix(arguments.count)) == arguments,
            running.dropLast(arguments.count).contains(where: { base($0) == base(program) })
        else {
            log(instance.name, "not adopting pid \(pid): its command is not the one supervisor.json gives now")
            return false
        }
        return true
    }

    func adoptRun(
        _ instance: ManagedInstance, pid: Int32, startTime: UInt64, pidfd: Int32, environ: [String],
        streams: [HeldStream]
    ) {
        let t = now
        // Its uptime counts from its own start, not from the adoption.
        let age = Duration.nanoseconds(Handover.age(ofStartTicks: startTime) ?? 0)
        let phase: InstanceMachine.Phase =
            instance.machine.readyTimeout.map { .starting(pid: pid, readyBy: t + $0) }
            ?? .online(pid: pid, since: t + (Duration.zero - age))
        // The counts the crashed daemon saved while this very run was its own.
        let saved = state.running[instance.name].flatMap {
            $0.pid == pid && $0.startTime == startTime ? state.progress[instance.name] : nil
        }
        instance.machine.restore(
            InstanceMachine.Parts(
                phase: phase, failures: saved?.failures ?? 0, restarts: saved?.restarts ?? 0, lastExit: nil,
                startedAt: t + (Duration.zero - age), stopReason: "user"))
        for stream in streams {
            attachHeld(stream, to: instance)
            poll.add(stream.pipe, token: Token.pipe.with(Int(stream.pipe)))
        }
        var environment: [String: String] = [:]
        for line in environ where line != instance.marker {
            guard let eq = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        instance.setSpawned(environment, base: supervisorEnvironment)
        takeRun(instance, pid: pid, startTime: startTime, startedWallMs: Clock.wallMilliseconds() - age.milliseconds)
        instance.runIsDaemonChild = false
        instance.history.append(
            Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds())
                + " adopted pid \(pid) after a daemon crash (exit code will be unknown)")
        handover.adopted[pidfd] = instance
        handover.adoptedNames.insert(instance.name)
        poll.add(pidfd, token: Token.pidfd.with(Int(pidfd)))
        // Wanted down (a stop the crashed daemon had begun): adopted, then stopped as asked.
        let wanted = instance.wantedUp
        if case .starting = phase { startProbe(instance) }
        log(
            instance.name,
            "adopted pid \(pid), left running by a daemon that ended without stopping it; its pipes came back from the descriptor holder"
        )
        post(.orchestrate(.reached(instance.id, instance.condition)))
        if !wanted { post(.orchestrate(.stop([instance.id]))) }
    }

    /// A watched descriptor of this file turned readable: an adopted process ended (not our
    /// child, so its exit code is unknown), or the holder went away. False: neither.
    func adoptedExited(_ pidfd: Int32) -> Bool {
        if pidfd == handover.holderFD {
            dropHolder()
            replaceHolder("its connection closed")
            return true
        }
        guard let instance = handover.adopted.removeValue(forKey: pidfd) else { return false }
        poll.remove(pidfd)
        FileDescriptor.close(pidfd)
        drainPipes(of: instance)
        state.running[instance.name] = nil
        stateDirty = true
        feed(instance, .exited(.unknown))
        return true
    }
}
