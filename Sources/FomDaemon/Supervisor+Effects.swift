import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The state machine decides, this performs: signals to process groups, leftover processes
/// watched through pidfds until they are gone, exit history and fom.log lines.
extension Supervisor {
    func abandonLeftovers(_ instance: ManagedInstance) {
        for (pid, pidfd) in instance.leftovers {
            log(instance.name, "giving up on pid \(pid)")
            pidfds[pidfd] = nil
            poll.remove(pidfd)
            FileDescriptor.close(pidfd)
        }
        instance.leftovers = [:]
    }

    func perform(_ action: InstanceMachine.Action, for instance: ManagedInstance) {
        switch action {
        case .spawn:
            instance.waitingFor = nil
        case .startReadyCheck:
            startProbe(instance)
        case .signalGroup(let pid, let signal):
            rememberDescendants(of: instance, main: pid)
            Signals.sendToGroup(pid, signal.number)
            Signals.sendToGroup(pid, SIGCONT)
        case .killAll(let pid):
            if let pid { Signals.sendToGroup(pid, SIGKILL) }
            for pid in leftoverMembers(of: instance, anywhere: true) { Signals.send(pid, SIGKILL) }
            for pid in instance.leftovers.keys { Signals.send(pid, SIGKILL) }
        case .collectLeftovers(let signal):
            collectLeftovers(instance, signal: signal)
        case .recordExit(let record):
            instance.probe = nil
            let entry = Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " " + record.description
            instance.history.append(entry)
            if instance.history.count > 20 { instance.history.removeFirst() }
        case .log(let message):
            log(instance.name, message)
        }
    }

    func collectLeftovers(_ instance: ManagedInstance, signal: Signal) {
        // A run that ended by itself (no one asked it to stop) is looked for where its orphans
        // are; a stop looks everywhere (Supervisor+Descendants).
        let crashed = instance.machine.lastExit.map { $0.stoppedBy == nil } ?? false
        for pid in leftoverMembers(of: instance, anywhere: !crashed) { track(pid, of: instance, signal: signal) }
        if instance.leftovers.isEmpty {
            feed(instance, .allGone)
        } else {
            log(
                instance.name,
                "waiting for \(instance.leftovers.count) leftover process(es): \(instance.leftovers.keys.sorted().map(String.init).joined(separator: ", "))"
            )
        }
    }

    /// Signals a remaining process of the instance and watches its pidfd until it is gone.
    func track(_ pid: Int32, of instance: ManagedInstance, signal: Signal) {
        guard instance.leftovers[pid] == nil else { return }
        guard let pidfd = Signals.openPidfd(pid) else {
            // Gone already (ESRCH), or no descriptor to watch it with: then it cannot be waited
            // for gracefully, and SIGKILL is the only way to be sure it does not outlive the stop.
            Signals.send(pid, SIGKILL)
            return
        }
        Signals.send(pid, signal.number)
        if signal != .kill { Signals.send(pid, SIGCONT) }
        instance.leftovers[pid] = pidfd
        pidfds[pidfd] = (instance, pid)
        poll.add(pidfd, token: Token.pidfd.with(Int(pidfd)))
    }

    func leftoverExited(_ pidfd: Int32) {
        if adoptedExited(pidfd) { return }
        guard let (instance, pid) = pidfds.removeValue(forKey: pidfd) else { return }
        poll.remove(pidfd)
        FileDescriptor.close(pidfd)
        instance.leftovers[pid] = nil
        // Anything it started in the meantime is found by the next scan.
        if instance.leftovers.isEmpty, case .stopping(.none, _, _, let killed) = instance.machine.phase {
            collectLeftovers(instance, signal: killed ? .kill : instance.config.stopSignal)
        }
    }

    func strangerExited(_ pidfd: Int32) {
        guard let pid = strangers.first(where: { $0.value == pidfd })?.key else { return }
        strangers[pid] = nil
        poll.remove(pidfd)
        FileDescriptor.close(pidfd)
        if strangers.isEmpty { post(.orchestrate(.hold(nil))) }
    }
}
