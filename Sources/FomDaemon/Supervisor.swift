import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The daemon: one thread, one epoll loop. Signals, child pipes, pidfds, ready probes and the
/// control socket are descriptors; timers are monotonic deadlines that set the wait's timeout.
/// With nothing scheduled the loop sleeps until a descriptor wakes it: no polling tick.
public final class Supervisor {
    public struct Options: Sendable {
        public var config: SupervisorConfig
        public var envFile: String
        /// Named by `--env`: then a missing file is an error, not "no variables".
        public var envFileRequired = false
        public var runtime: RuntimeDirectory
        /// Echo fom.log lines on stderr (`fom daemon` in a terminal or a container).
        public var echoEvents: Bool
        public var configDigest: String

        public init(
            config: SupervisorConfig, envFile: String, runtime: RuntimeDirectory, echoEvents: Bool, configDigest: String
        ) {
            self.configDigest = configDigest
            self.config = config
            self.envFile = envFile
            self.runtime = runtime
            self.echoEvents = echoEvents
        }
    }

    /// What an epoll token stands for: the kind in the top byte, an index below.
    enum Token: UInt64 {
        case signal = 1, listener, client, pipe, probe, pidfd, stranger, runtime

        func with(_ index: Int) -> UInt64 { rawValue << 56 | UInt64(UInt32(truncatingIfNeeded: index)) }
        static func decode(_ token: UInt64) -> (Token, Int)? {
            guard let kind = Token(rawValue: token >> 56) else { return nil }
            return (kind, Int(UInt32(truncatingIfNeeded: token)))
        }
    }

    /// A client that asked to be answered once its targets have settled.
    struct Waiter {
        let client: Int32
        let ids: [Int]
        let done: (ManagedInstance) -> Bool
        /// The answer, built when every target is done (the rows, or a reload report).
        let answer: ([ManagedInstance]) -> JSONValue
    }

    /// One unit of work on the daemon's single queue: every change of state goes through it.
    enum Work {
        /// An event for one instance's machine.
        case machine(ManagedInstance, InstanceMachine.Event)
        /// An event for the orchestrator (a command, a condition reached).
        case orchestrate(Orchestrator.Event)
        /// The orchestrator's word that the instance may spawn now.
        case spawn(ManagedInstance)
    }

    var options: Options
    let poll: EventPoll
    var instances: [ManagedInstance] = []
    var byName: [String: ManagedInstance] = [:]
    var byID: [Int: ManagedInstance] = [:]
    var orchestrator: Orchestrator
    var queue: [Work] = []
    var draining = false
    /// New definitions of changed instances, swapped in once the old run is down (reload).
    var replacements: [Int: InstanceConfig] = [:]
    var state: StateStore
    /// The runtime directory, held open: the state file is written from its descriptor.
    var runtimeDirectory: Directory
    /// Notices the runtime directory removed under the daemon, and rebuilds it.
    var runtimeGuard = RuntimeGuard()
    /// The process table of the last stop, reused by the stops of the same moment.
    var processSnapshot: (at: Instant, snapshot: ProcessTree.Snapshot)?
    /// Who carries which marker, read once for every exit of the same turn of the loop (a
    /// restart storm of 1,000 exits is one pass over /proc, not 1,000).
    var markerSnapshot: (turn: Int, at: Instant, pids: [String: [Int32]])?
    /// The same for the daemon's own tree (Supervisor+Descendants): what its own runs left.
    var straySnapshot: (turn: Int, at: Instant, pids: [String: [Int32]])?
    /// Orphans come back to the daemon (PR_SET_CHILD_SUBREAPER): its own runs' leftovers stay in its tree.
    var isSubreaper = false
    /// Counts the loop's wake-ups: what was read from /proc in one turn serves that turn only.
    var turn = 0
    /// Set while the state file cannot be written (a full disk): saves are retried until one lands.
    var stateSaveFailure: StateSaveFailure?
    var events: LogFile
    /// The log directory, held open: every log file is opened from its descriptor.
    var logDirectory: Directory
    var signalFD: Int32 = -1
    var listenFD: Int32 = -1
    /// Out of descriptors: the listener is out of the poll set until a client leaves.
    var listenerPaused = false
    var clients: [Int32: ControlConnection] = [:]
    var pipes: [Int32: (instance: ManagedInstance, isErr: Bool)] = [:]
    /// The capture journal (Capture/): nil when it could not be made, and streams go without spools.
    var journal: CaptureJournal?
    /// When the heap is next looked at (Supervisor+Heap).
    var heap = HeapTrimState()
    var pidfds: [Int32: (instance: ManagedInstance, pid: Int32)] = [:]
    /// Processes of instances no longer in the config, left by an earlier daemon: pid -> pidfd.
    /// Nothing starts until they are gone, so none of them still holds a port.
    var strangers: [Int32: Int32] = [:]
    /// Past this, strangers that survived SIGKILL are given up on (as an instance's leftovers are).
    var strangersDeadline: Instant?
    var waiters: [Waiter] = []
    /// `fom kill` clients, answered once shutdown is complete.
    var killClients: [Int32] = []
    var stateDirty = false
    /// The boot the loaded state file's monotonic instants belong to (Supervisor+Progress).
    var bootOfState: String?
    var finished = false
    let supervisorEnvironment: [String: String]
    /// When the memory of instances with `maxMemory` is next measured; nil when none needs it.
    var nextMemoryCheck: Instant?
    static let memoryCheckInterval: Duration = .seconds(3)
    /// The cpu and memory columns, sampled on demand (Supervisor+Resources).
    let resources = ResourceSampler()
    /// `watch` clients and their per-second sample (Supervisor+Watch).
    let watch = WatchState()
    /// One buffer for every pipe read: log capture copies nothing it does not have to.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
    var started = Clock.monotonicNanoseconds()
    /// `fom upgrade`: the pending request, the daemon lock, the last re-exec (Handover/).
    var handover = HandoverInfo()
    /// The fingerprint of the supervisor.json text this daemon runs, so the CLI can tell that the
    /// file changed since.
    var configDigest: String { options.configDigest }
    var shuttingDown: Bool { orchestrator.shuttingDown }

    public init(_ options: Options) throws {
        self.options = options
        poll = try EventPoll()
        runtimeDirectory = try options.runtime.prepare()
        let (loaded, stateProblem) = try Self.loadState(options.runtime, runtimeDirectory)
        state = loaded
        // The instants the state file holds are comparable only on the boot that wrote them.
        bootOfState = loaded.bootID
        state.bootID = ProcFS.bootID()
        supervisorEnvironment = Files.environment()
        logDirectory = try Directory.openTrusted(options.config.logs.dir, createMode: 0o755)
        events = LogFile(
            directory: logDirectory, name: "fom.log", maxSize: options.config.logs.maxSize,
            keep: options.config.logs.keep, timestamps: false)
        let ids = state.ids.assign(options.config.instances.map(\.name))
        var members: [(id: Int, definition: Orchestrator.Definition, wantedUp: Bool)] = []
        for (config, id) in zip(options.config.instances, ids) {
            let wanted = state.wanted[config.name] ?? config.autostart
            let instance = ManagedInstance(
                id: id, config: config, logs: options.config.logs, logDirectory: logDirectory,
                marker: options.runtime.treeMarker(for: config.name), wantedUp: wanted)
            instances.append(instance)
            byName[config.name] = instance
            byID[id] = instance
            state.wanted[config.name] = wanted
            members.append((id, Self.definition(config), wanted))
        }
        orchestrator = Orchestrator(members)
        if let stateProblem { log("fom", stateProblem) }
        // Names no longer in the config keep no up/down word (nor budget) for a future instance of that name.
        state.wanted = state.wanted.filter { byName[$0.key] != nil }
        state.progress = state.progress.filter { byName[$0.key] != nil }
        stateDirty = true
    }

    static func definition(_ config: InstanceConfig) -> Orchestrator.Definition {
        Orchestrator.Definition(name: config.name, dependsOn: config.dependsOn)
    }

    var now: Instant { Instant(nanoseconds: Clock.monotonicNanoseconds()) }

    /// Blocks the signals the daemon handles and returns the signalfd that delivers them. Call it
    /// first thing, before any thread or any slow start-up work: a SIGTERM that arrives while
    /// the config loads then waits for the loop instead of killing the daemon mid-way.
    public static func blockSignals() throws -> Int32 {
        // SIGUSR1/SIGUSR2 would end the daemon by default: they are received, logged and ignored.
        try Signals.blockAndOpen([SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2])
    }

    // MARK: - Running

    /// Runs until SIGTERM, SIGINT or `fom kill` has stopped every instance. Returns the exit code.
    /// `signalFD` comes from `Supervisor.blockSignals()`, called before anything else.
    public func run(signalFD: Int32) throws -> Int32 {
        // Two pipes per instance, plus pidfds and clients: the default soft limit of 1024 is too small.
        Limits.raiseOpenFilesToHardLimit()
        self.signalFD = signalFD
        Signals.ignore(SIGPIPE)
        // A file-size limit must fail a write (counted like a full disk), not kill the daemon.
        Signals.ignore(SIGXFSZ)
        isSubreaper = Signals.becomeSubreaper()
        poll.add(signalFD, token: Token.signal.with(0))
        listenFD = try Sockets.listenUnix(path: options.runtime.socket, mode: 0o600)
        poll.add(listenFD, token: Token.listener.with(0))
        watchRuntimeDirectory()
        log("fom", "daemon started (pid \(getpid()), config \(options.config.path))")

        adopt(connectHolder())
        resumeProgress()
        cleanUpEarlierRun()
        if !strangers.isEmpty { post(.orchestrate(.hold(strangersNote))) }
        // The orchestrator hears where each resumed instance is before it starts what is wanted.
        settle()
        post(.orchestrate(.startup))
        settle()
        return runLoop()
    }

    /// The loop proper, shared by a fresh start and a daemon that took a handed state.
    func runLoop() -> Int32 {
        while !finished {
            let events = poll.wait(timeoutMs: timeoutUntilNextDeadline())
            turn &+= 1
            for event in events { dispatch(event) }
            fireDeadlines()
            settle()
            if !events.isEmpty { scheduleHeapLook() }
        }
        for (fd, _) in clients { FileDescriptor.close(fd) }
        // A clean exit leaves no crash-loop budget behind: the next daemon starts afresh.
        if !state.progress.isEmpty {
            state.progress = [:]
            saveState()
        }
        unlink(options.runtime.socket)
        log("fom", "daemon stopped")
        dismissHolder()
        return 0
    }

    /// Processes carrying this runtime directory's marker survived an earlier daemon (kill -9):
    /// they are stopped first so that no instance runs twice and no port is held twice.
    func cleanUpEarlierRun() {
        var found = ProcessTree.membersByName(treeKey: options.runtime.treeKey)
        // A pid in the state file is never reason enough to signal a process: only processes
        // that carry our marker are ours (a planted or stale state file cannot aim fom at others).
        // Instances adopted from the descriptor holder keep running (Handover/Supervisor+Holder).
        for name in handover.adoptedNames { found[name] = nil }
        state.running = state.running.filter { handover.adoptedNames.contains($0.key) }
        for (name, pids) in found {
            guard let instance = byName[name] else {
                // An instance no longer in the config: its processes must not live on.
                for pid in pids {
                    Signals.send(pid, SIGKILL)
                    if let pidfd = Signals.openPidfd(pid) {
                        strangers[pid] = pidfd
                        poll.add(pidfd, token: Token.stranger.with(Int(pidfd)))
                    }
                }
                log("fom", "killed \(pids.count) process(es) of removed instance \(name) from an earlier run")
                strangersDeadline = now + InstanceMachine.killGrace
                continue
            }
            for pid in pids { track(pid, of: instance, signal: instance.config.stopSignal) }
            feed(instance, .orphansFound)
        }
    }

    func timeoutUntilNextDeadline() -> Int32 {
        var next: Instant?
        for instance in instances {
            if let d = instance.machine.deadline, next == nil || d < next! { next = d }
            if let d = instance.probe?.deadline, case .starting = instance.machine.phase, next == nil || d < next! {
                next = d
            }
        }
        if let d = nextMemoryCheck, next == nil || d < next! { next = d }
        if let d = watch.nextSample, next == nil || d < next! { next = d }
        if let d = strangersDeadline, !strangers.isEmpty, next == nil || d < next! { next = d }
        if let d = nextRetryDeadline, next == nil || d < next! { next = d }
        if let d = heap.lookAt, next == nil || d < next! { next = d }
        guard let next else { return -1 }
        let ms = (next - now).nanoseconds
        if ms <= 0 { return 0 }
        // Round up so that we never wake just before the deadline and spin.
        return Int32(min((ms + 999_999) / 1_000_000, Int64(Int32.max)))
    }

    func fireDeadlines() {
        let t = now
        fireRetryDeadlines(t)
        fireHeapLook(t)
        if let d = strangersDeadline, d <= t {
            strangersDeadline = nil
            for (pid, pidfd) in strangers {
                log("fom", "giving up on pid \(pid) of an earlier run: it survived SIGKILL")
                poll.remove(pidfd)
                FileDescriptor.close(pidfd)
            }
            strangers = [:]
            post(.orchestrate(.hold(nil)))
        }
        if let check = nextMemoryCheck, check <= t {
            nextMemoryCheck = nil
            checkMemory()
        }
        if let d = watch.nextSample, d <= t { fireWatchSample() }
        for instance in instances {
            if let d = instance.machine.deadline, d <= t { feed(instance, .deadline) }
            if let probe = instance.probe, probe.deadline <= t, case .starting = instance.machine.phase {
                if let fd = probe.timerFired(now: t) {
                    poll.add(fd, token: Token.probe.with(instance.id), writable: true)
                }
            }
        }
    }

    func dispatch(_ event: EventPoll.Event) {
        guard let (kind, index) = Token.decode(event.token) else { return }
        switch kind {
        case .signal: handleSignals()
        case .listener: acceptClients()
        case .client: serviceClient(Int32(index), event)
        case .pipe: readPipe(Int32(index))
        case .probe: probeEvent(instanceID: index)
        case .pidfd: leftoverExited(Int32(index))
        case .stranger: strangerExited(Int32(index))
        case .runtime: runtimeDirectoryChanged()
        }
    }

    // MARK: - Signals and children

    func handleSignals() {
        while let signal = Signals.next(from: signalFD) {
            switch signal {
            case SIGCHLD: reapChildren()
            case SIGTERM, SIGINT: beginShutdown(reason: "signal \(signal == SIGTERM ? "SIGTERM" : "SIGINT")")
            case SIGHUP:
                log("fom", "SIGHUP received: reloading \(options.config.path)")
                reload(dryRun: false, wait: false, client: nil)
            default: log("fom", "signal \(signal) received; fom does nothing on it")
            }
        }
    }

    /// Reaps every exited child, instances and adopted orphans alike (safe as PID 1).
    func reapChildren() {
        while let (pid, status) = Signals.reapAny() {
            guard let instance = instances.first(where: { $0.machine.pid == pid }) else { continue }
            // Its orphans came to the daemon just now: a stray list read before does not hold them.
            straySnapshot = nil
            let exit: ExitStatus
            switch status {
            case .exited(let code): exit = .exited(code)
            case .signaled(let s): exit = .signaled(s)
            }
            drainPipes(of: instance)
            state.running[instance.name] = nil
            stateDirty = true
            feed(instance, .exited(exit))
        }
    }

    /// After every wake-up: drains the queue, answers the clients whose targets have settled
    /// (an answered client's next pipelined request is work for this same pass), saves the state.
    func settle() {
        repeat { drain() } while answerWaiters()
        if stateDirty { saveState() }
        scheduleMemoryCheck()
        if handover.pending != nil { upgradeIfQuiet() }
    }

    // MARK: - Shutdown

    func beginShutdown(reason: String) {
        if !shuttingDown { log("fom", "shutting down (\(reason)): stopping every instance") }
        post(.orchestrate(.shutdown))
    }

    /// Every instance is at rest: answer who waits, and end the loop.
    func finishShutdown() {
        for fd in killClients { reply(fd, Response.ok([("stopped", true)])) }
        killClients = []
        for waiter in waiters {
            clients[waiter.client]?.awaitingAnswer = false
            reply(waiter.client, Response.error("the daemon shut down before this finished"))
        }
        waiters = []
        flushClients()
        finished = true
    }
}
