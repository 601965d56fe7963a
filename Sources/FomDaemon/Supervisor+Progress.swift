import FomCore
import FomRuntime
import SystemKit

/// The crash-loop budget across a crash of the daemon: each instance's counts and deadline go to
/// the state file as they change (one save per wake-up, however many changed), and a daemon
/// that follows a crash goes on from them, as one that follows `fom upgrade` goes on from the
/// handed state. Repeated crashes of the daemon cannot extend a crash loop past `maxRestarts`,
/// nor bring a retry sooner.
extension Supervisor {
    /// What the state file keeps of the instance's machine now.
    func progress(of instance: ManagedInstance) -> StateStore.Progress {
        let m = instance.machine
        var p = StateStore.Progress(restarts: m.restarts, failures: m.failures)
        switch m.phase {
        case .backoff(let until): p.retryAtNs = until.nanoseconds
        case .errored(let reason): p.errored = reason
        case .online(_, let since): p.onlineAtNs = since.nanoseconds
        case .stopped, .waiting, .starting, .stopping, .exited: break
        }
        return p
    }

    /// After every machine event: the state file is marked for a save only when what it keeps
    /// of this instance changed.
    func recordProgress(_ instance: ManagedInstance) {
        let p = progress(of: instance)
        let saved = state.progress[instance.name] ?? StateStore.Progress()
        guard p != saved else { return }
        state.progress[instance.name] = p.isEmpty ? nil : p
        stateDirty = true
    }

    /// At start, after adoption: each instance wanted up that is not adopted goes on from what
    /// the crashed daemon saved. In backoff: the same deadline (never later than its delay from
    /// now, so a deadline absurdly far away is not waited for). Errored: errored still, until
    /// the user starts it. A run that ended while no daemon ran: an exit of unknown status,
    /// judged now (a failed start unless it was online for minUptime). Failed starts in a row
    /// with none of these (it was about to spawn): the retry is due at once, counts kept. A
    /// state file of another boot (its instants mean nothing here) is a fresh start.
    func resumeProgress() {
        let t = now
        let sameBoot = bootOfState != nil && bootOfState == state.bootID
        defer { if !sameBoot { state.progress = [:] } }
        guard sameBoot else { return }
        for instance in instances where !handover.adoptedNames.contains(instance.name) {
            guard let p = state.progress[instance.name] else { continue }
            guard instance.wantedUp else {
                state.progress[instance.name] = nil
                continue
            }
            let policy = instance.machine.policy
            var phase: InstanceMachine.Phase = .stopped
            var endedUnseen = false
            if let reason = p.errored {
                phase = .errored(reason)
            } else if let retry = p.retryAtNs {
                let latest = t + policy.delay(afterFailures: max(p.failures, 1))
                phase = .backoff(until: min(max(Instant(nanoseconds: retry), t), latest))
            } else if let run = state.running[instance.name] {
                // Its process is gone (or another took its pid): not adopted.
                endedUnseen = true
                phase =
                    p.onlineAtNs.map { .online(pid: run.pid, since: min(Instant(nanoseconds: $0), t)) }
                    ?? .starting(pid: run.pid, readyBy: nil)
            } else if p.failures > 0 {
                phase = .backoff(until: t)
            }
            instance.machine.restore(
                InstanceMachine.Parts(
                    phase: phase, failures: p.failures, restarts: p.restarts, lastExit: nil, startedAt: nil,
                    stopReason: "user"))
            if endedUnseen {
                instance.history.append(
                    Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds())
                        + " ended while no daemon ran (exit code unknown)")
                log(instance.name, "its run ended while no daemon ran: counted as an exit now")
                feed(instance, .exited(.unknown))
            } else if phase != .stopped {
                log(
                    instance.name,
                    "goes on from where the crashed daemon left it: \(instance.machine.status.rawValue), \(p.failures) failed start(s) in a row, \(p.restarts) restart(s)"
                )
            }
            post(.orchestrate(.reached(instance.id, instance.condition)))
        }
    }
}
