/// The life of one instance as a pure state machine (after service-lifecycle and s6): every
/// event goes through `handle`, which changes the state and returns the effects for the daemon
/// to perform. No syscalls, no clock: the caller passes `now`.
public struct InstanceMachine: Sendable {
    /// What happens once every process of a stopping instance is gone.
    public enum AfterStop: Sendable, Equatable {
        case stay  // -> stopped
        case start  // -> waiting (spawn again)
        case backoff(Duration)  // -> backoff
        case errored(String)  // -> errored
        case exit  // -> exited (policy says no restart)
    }

    public enum Phase: Sendable, Equatable {
        case stopped
        /// Wanted up; the daemon spawns once the dependencies are online. Shown as `starting`.
        case waiting
        case starting(pid: Int32, readyBy: Instant?)
        case online(pid: Int32, since: Instant)
        /// pid is nil once the main process is gone and only leftovers may remain.
        case stopping(pid: Int32?, then: AfterStop, killAt: Instant, killed: Bool)
        case backoff(until: Instant)
        case errored(String)
        case exited
    }

    public enum Event: Sendable, Equatable {
        case start
        case stop(by: String)
        case restart(by: String)
        case spawned(pid: Int32)
        /// The daemon could not start it (port taken, CVAT variables missing, cannot execute).
        case startFailed(String)
        case ready
        /// The main process ended.
        case exited(ExitStatus)
        /// No process of the instance is left.
        case allGone
        /// The machine's deadline has passed.
        case deadline
        /// Processes of an earlier daemon run carry this instance's marker: stop them first.
        case orphansFound
        /// The whole tree uses more memory than `maxMemory` (the detail says how much).
        /// `stable`: an earlier check of this same run, past minUptime, found it under the limit;
        /// only then is it a stable run that grew, rather than a start that fails this way.
        case memoryExceeded(String, stable: Bool)
    }

    public enum Action: Sendable, Equatable {
        /// Start a process once dependencies are online; answer with `spawned` or `startFailed`.
        case spawn
        case startReadyCheck
        /// Stop signal plus SIGCONT to the process group.
        case signalGroup(pid: Int32, signal: Signal)
        /// SIGKILL to the group and to every process that carries the instance's marker.
        case killAll(pid: Int32?)
        /// The main process is gone: find what is left, send it `signal`, report `allGone`.
        case collectLeftovers(signal: Signal)
        case recordExit(ExitRecord)
        case log(String)
    }

    public private(set) var phase: Phase = .stopped
    /// Consecutive failed starts; reset by a stable run or a start by the user.
    public private(set) var failures = 0
    /// Automatic restarts so far (what pm2 shows as ↺).
    public private(set) var restarts = 0
    public private(set) var lastExit: ExitRecord?
    public private(set) var startedAt: Instant?
    private var stopReason = "user"

    public let policy: RestartRules
    public let stopSignal: Signal
    public let killTimeout: Duration
    public let readyTimeout: Duration?
    /// How long a process that ignored SIGKILL is waited for before giving up.
    public static let killGrace: Duration = .seconds(5)

    /// readyTimeout nil means no ready check: online as soon as it runs.
    public init(
        policy: RestartRules, stopSignal: Signal = .term,
        killTimeout: Duration = .seconds(10), readyTimeout: Duration?
    ) {
        self.policy = policy
        self.stopSignal = stopSignal
        self.killTimeout = killTimeout
        self.readyTimeout = readyTimeout
    }

    public var status: InstanceStatus {
        switch phase {
        case .stopped: return .stopped
        case .waiting, .starting: return .starting
        case .online: return .online
        case .stopping: return .stopping
        case .backoff: return .backoff
        case .errored: return .errored
        case .exited: return .exited
        }
    }

    public var pid: Int32? {
        switch phase {
        case .starting(let pid, _), .online(let pid, _): return pid
        case .stopping(let pid, _, _, _): return pid
        case .stopped, .waiting, .backoff, .errored, .exited: return nil
        }
    }

    /// When the machine wants a `.deadline` event; nil: it waits for nothing timed.
    public var deadline: Instant? {
        switch phase {
        case .starting(_, let readyBy): return readyBy
        case .stopping(_, _, let killAt, _): return killAt
        case .backoff(let until): return until
        case .stopped, .waiting, .online, .errored, .exited: return nil
        }
    }

    public var erroredReason: String? {
        if case .errored(let reason) = phase { return reason }
        return nil
    }

    public mutating func handle(_ event: Event, now: Instant) -> [Action] {
        switch event {
        case .start: return start(now: now)
        case .stop(let by): return stop(by: by, then: .stay, now: now)
        case .restart(let by): return restart(by: by, now: now)
        case .spawned(let pid): return spawned(pid: pid, now: now)
        case .startFailed(let reason): return startFailed(reason)
        case .ready: return ready(now: now)
        case .exited(let status): return exited(status, now: now)
        case .allGone: return allGone(now: now)
        case .deadline: return deadlinePassed(now: now)
        case .orphansFound: return orphansFound(now: now)
        case .memoryExceeded(let detail, let stable): return memoryExceeded(detail, stable: stable, now: now)
        }
    }

    private mutating func start(now: Instant) -> [Action] {
        switch phase {
        case .stopped, .exited, .errored, .backoff:
            // stopped/exited/errored/backoff -> waiting: a start by the user forgives past failures.
            failures = 0
            phase = .waiting
            return [.spawn]
        case .waiting, .starting, .online:
            return []
        case .stopping(let pid, _, let killAt, let killed):
            // stopping -> stopping: come back up once it is down.
            phase = .stopping(pid: pid, then: .start, killAt: killAt, killed: killed)
            return []
        }
    }

    private mutating func stop(by: String, then: AfterStop, now: Instant) -> [Action] {
        switch phase {
        case .stopped:
            return []
        case .waiting, .errored, .exited:
            phase = .stopped
            return []
        case .backoff:
            // backoff -> stopped: the pending retry is cancelled.
            phase = .stopped
            return [.log("stopped (\(by)); restart cancelled")]
        case .starting(let pid, _), .online(let pid, _):
            // starting/online -> stopping: stop signal now, SIGKILL at killTimeout.
            stopReason = by
            phase = .stopping(pid: pid, then: then, killAt: now + killTimeout, killed: false)
            return [
                .signalGroup(pid: pid, signal: stopSignal), .log("stopping pid \(pid) with \(stopSignal.name) (\(by))"),
            ]
        case .stopping(let pid, let current, let killAt, let killed):
            // A later word wins, but a stop never turns a pending give-up into a restart.
            let next: AfterStop = then == .start && current == .stay ? .start : then
            phase = .stopping(pid: pid, then: next, killAt: killAt, killed: killed)
            return []
        }
    }

    private mutating func restart(by: String, now: Instant) -> [Action] {
        switch phase {
        case .starting, .online:
            return stop(by: by, then: .start, now: now)
        case .stopping(let pid, _, let killAt, let killed):
            phase = .stopping(pid: pid, then: .start, killAt: killAt, killed: killed)
            return []
        case .stopped, .waiting, .backoff, .errored, .exited:
            return start(now: now)
        }
    }

    private mutating func spawned(pid: Int32, now: Instant) -> [Action] {
        switch phase {
        case .waiting: break
        case .stopped, .starting, .online, .stopping, .backoff, .errored, .exited:
            return []  // no-op: only a waiting instance is spawned
        }
        startedAt = now
        if let readyTimeout {
            // waiting -> starting: online once the ready check passes.
            phase = .starting(pid: pid, readyBy: now + readyTimeout)
            return [.startReadyCheck, .log("started pid \(pid)")]
        }
        // waiting -> online: no ready check, so running is ready.
        phase = .online(pid: pid, since: now)
        return [.log("started pid \(pid), online")]
    }

    private mutating func startFailed(_ reason: String) -> [Action] {
        switch phase {
        case .waiting: break
        case .stopped, .starting, .online, .stopping, .backoff, .errored, .exited:
            return []  // no-op: only a waiting instance can fail to spawn
        }
        // waiting -> errored: retrying would not help (port taken, variables missing).
        phase = .errored(reason)
        return [.log("errored: \(reason)")]
    }

    private mutating func ready(now: Instant) -> [Action] {
        let pid: Int32
        switch phase {
        case .starting(let p, _): pid = p
        case .stopped, .waiting, .online, .stopping, .backoff, .errored, .exited:
            return []  // no-op: a late probe answer after the run ended or went online
        }
        // starting -> online.
        phase = .online(pid: pid, since: now)
        let took = startedAt.map { " after \((now - $0).humanReadable)" } ?? ""
        return [.log("online (ready\(took))")]
    }

    private mutating func exited(_ status: ExitStatus, now: Instant) -> [Action] {
        switch phase {
        case .starting(_, _), .online(_, _):
            var stable = false
            if case .online(_, let since) = phase { stable = now - since >= policy.minUptime }
            let record = ExitRecord(status: status)
            lastExit = record
            let then = outcomeOfCrash(status, stable: stable)
            // starting/online -> stopping(pid nil): leftovers are killed at once, then `then`.
            phase = .stopping(pid: nil, then: then, killAt: now + Self.killGrace, killed: true)
            return [
                .recordExit(record), .log(record.description + describe(then)), .collectLeftovers(signal: Signal.kill),
            ]
        case .stopping(.some, let then, let killAt, let killed):
            // stopping -> stopping(pid nil): the main process is down; wait for the rest.
            let record = ExitRecord(status: status, stoppedBy: stopReason, neededKill: killed)
            lastExit = record
            phase = .stopping(pid: nil, then: then, killAt: killAt, killed: killed)
            return [
                .recordExit(record), .log(record.description),
                .collectLeftovers(signal: killed ? .kill : stopSignal),
            ]
        case .stopping(.none, _, _, _), .stopped, .waiting, .backoff, .errored, .exited:
            return []
        }
    }

    /// What follows an exit nobody asked for: the restart policy and the crash-loop budget.
    private mutating func outcomeOfCrash(_ status: ExitStatus, stable: Bool) -> AfterStop {
        outcomeOfFailure(status.description, restartAllowed: policy.restarts(after: status), stable: stable)
    }

    /// The crash-loop budget, for every way a run can fail: an exit, a ready timeout, a memory
    /// limit. `restartAllowed` is the restart policy's word on this failure.
    private mutating func outcomeOfFailure(_ what: String, restartAllowed: Bool, stable: Bool) -> AfterStop {
        guard restartAllowed else { return .exit }
        if stable {
            // A stable run that died comes back at once, with a fresh budget.
            failures = 0
            restarts += 1
            return .start
        }
        failures += 1
        if failures >= policy.maxRestarts {
            return .errored("gave up after \(failures) failed starts in a row (last: \(what))")
        }
        restarts += 1
        return .backoff(policy.delay(afterFailures: failures))
    }

    private func describe(_ then: AfterStop) -> String {
        switch then {
        case .stay: return ""
        case .start: return "; restarting now"
        case .backoff(let d):
            return "; restarting in \(d.humanReadable) (failed start \(failures) of \(policy.maxRestarts))"
        case .errored(let reason): return "; errored: \(reason)"
        case .exit: return "; not restarting (restart: \(policy.mode.rawValue))"
        }
    }

    private mutating func allGone(now: Instant) -> [Action] {
        let then: AfterStop
        switch phase {
        case .stopping(.none, let t, _, _): then = t
        case .stopping(.some, _, _, _), .stopped, .waiting, .starting, .online, .backoff, .errored, .exited:
            return []  // no-op: the main process still runs, or nothing was being stopped
        }
        switch then {
        case .stay:
            phase = .stopped
            return [.log("stopped")]
        case .start:
            phase = .waiting
            return [.spawn]
        case .backoff(let delay):
            phase = .backoff(until: now + delay)
            return []
        case .errored(let reason):
            phase = .errored(reason)
            return []
        case .exit:
            phase = .exited
            return []
        }
    }

    private mutating func deadlinePassed(now: Instant) -> [Action] {
        // no-op: a wake-up before the deadline, or in a phase that waits for nothing timed.
        guard let deadline, now >= deadline else { return [] }
        switch phase {
        case .starting(let pid, _):
            // starting -> stopping: not ready in time counts as a failed start; with restart
            // `never` there is no next try, and a server that never answered is an error.
            let timeout = readyTimeout ?? .zero
            let what = "not ready within \(timeout.humanReadable)"
            var then = outcomeOfFailure(what, restartAllowed: policy.mode != .never, stable: false)
            if then == .exit { then = .errored(what) }
            stopReason = "ready timeout"
            phase = .stopping(pid: pid, then: then, killAt: now + killTimeout, killed: false)
            return [
                .signalGroup(pid: pid, signal: stopSignal),
                .log("not ready within \(timeout.humanReadable); stopping pid \(pid)" + describe(then)),
            ]
        case .stopping(let pid, let then, _, false):
            // stopping -> stopping(killed): the grace period is over.
            phase = .stopping(pid: pid, then: then, killAt: now + Self.killGrace, killed: true)
            return [.killAll(pid: pid), .log("still running after \(killTimeout.humanReadable): SIGKILL")]
        case .stopping(let pid, _, _, true):
            // stopping -> errored: something survived SIGKILL (uninterruptible sleep).
            let who = pid.map { "pid \($0)" } ?? "a process of the instance"
            phase = .errored("\(who) survived SIGKILL")
            return [.log("errored: \(who) survived SIGKILL")]
        case .backoff:
            // backoff -> waiting: time for the next try.
            phase = .waiting
            return [.spawn]
        case .stopped, .waiting, .online, .errored, .exited:
            return []
        }
    }

    private mutating func memoryExceeded(_ detail: String, stable: Bool, now: Instant) -> [Action] {
        switch phase {
        case .starting, .online:
            // online -> stopping: over the limit is a failure, under the same policy and budget
            // as a crash (a run that was stable comes back at once; a loop backs off, then errors).
            let then = outcomeOfFailure(
                "memory limit, \(detail)", restartAllowed: policy.mode != .never, stable: stable)
            var actions = stop(by: "memory limit: \(detail)", then: then, now: now)
            if case .log(let line) = actions.last { actions[actions.count - 1] = .log(line + describe(then)) }
            return actions
        case .stopped, .waiting, .stopping, .backoff, .errored, .exited:
            return []
        }
    }

    private mutating func orphansFound(now: Instant) -> [Action] {
        switch phase {
        case .stopped: break
        case .waiting, .starting, .online, .stopping, .backoff, .errored, .exited:
            return []  // no-op: only found at the daemon's start, before anything runs
        }
        // stopped -> stopping(pid nil): processes of an earlier run go first, gracefully.
        stopReason = "cleanup of an earlier run"
        phase = .stopping(pid: nil, then: .stay, killAt: now + killTimeout, killed: false)
        return [.log("found processes of an earlier run; stopping them"), .collectLeftovers(signal: stopSignal)]
    }
}

// MARK: - Handover (`fom upgrade`): what the machine holds, out and back in

extension InstanceMachine {
    /// Everything a machine holds besides its config; `InstanceMachine+Handover` gives it a JSON form.
    public struct Parts: Sendable, Equatable {
        public var phase: Phase
        public var failures: Int
        public var restarts: Int
        public var lastExit: ExitRecord?
        public var startedAt: Instant?
        public var stopReason: String

        public init(
            phase: Phase, failures: Int, restarts: Int, lastExit: ExitRecord?, startedAt: Instant?, stopReason: String
        ) {
            self.phase = phase
            self.failures = failures
            self.restarts = restarts
            self.lastExit = lastExit
            self.startedAt = startedAt
            self.stopReason = stopReason
        }
    }

    public var parts: Parts {
        Parts(
            phase: phase, failures: failures, restarts: restarts, lastExit: lastExit, startedAt: startedAt,
            stopReason: stopReason)
    }

    public mutating func restore(_ parts: Parts) {
        phase = parts.phase
        failures = parts.failures
        restarts = parts.restarts
        lastExit = parts.lastExit
        startedAt = parts.startedAt
        stopReason = parts.stopReason
    }
}
