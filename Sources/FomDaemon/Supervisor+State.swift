import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// Why the state file is not written yet, and when the next try is. A save that failed (a full
/// disk) is retried until it lands: the user's last word (an instance they stopped) must not be
/// lost because the disk was full once.
struct StateSaveFailure {
    var reason: String
    var attempts: Int
    var retryAt: Instant
}

extension Supervisor {
    /// Retries come at most this often, and at least this often while the disk stays full.
    static let stateRetryInterval: Duration = .seconds(1)

    /// Reads the state file under its lock. One that does not make sense is set aside (renamed)
    /// and the daemon goes on with what the config says; the returned line says so for fom.log.
    static func loadState(
        _ runtime: RuntimeDirectory, _ directory: Directory
    ) throws -> (StateStore, note: String?) {
        try runtime.withStateLock(in: directory) {
            let (store, problem) = StateStore.load(from: directory)
            guard let problem else { return (store, nil) }
            let name = StateStore.setAside(in: directory)
            let whereTo = name.map { "set aside as \($0)" } ?? "could not be set aside"
            return (
                store,
                "the state file \(runtime.stateFile) does not make sense (\(problem)); \(whereTo); going on with what supervisor.json says"
            )
        }
    }

    func saveState() {
        let t = now
        if let failure = stateSaveFailure, t < failure.retryAt { return }
        do {
            try state.save(in: runtimeDirectory)
            stateDirty = false
            if let failure = stateSaveFailure {
                log("fom", "the state file is saved again (after \(failure.attempts) failed tries)")
                stateSaveFailure = nil
            }
        } catch {
            // stateDirty stays set: the next pass of the loop after retryAt tries again.
            if var failure = stateSaveFailure {
                failure.attempts += 1
                failure.reason = "\(error)"
                failure.retryAt = t + Self.stateRetryInterval
                stateSaveFailure = failure
            } else {
                log("fom", "cannot save the state file: \(error); retrying every second until it lands")
                stateSaveFailure = StateSaveFailure(
                    reason: "\(error)", attempts: 1, retryAt: t + Self.stateRetryInterval)
            }
        }
    }

    /// For ping and describe: nil while the state file is saved, else one line saying what fails.
    var stateSaveWarning: String? {
        stateSaveFailure.map { "the state file is not saved: \($0.reason) (\($0.attempts) tries; retrying)" }
    }
}

extension Supervisor {
    /// The earliest of the retries and time-outs kept outside the instance machines: a state
    /// save, a runtime directory rebuild, a start that lacked descriptors, an idle client.
    var nextRetryDeadline: Instant? {
        var candidates: [Instant] = []
        if let d = stateSaveFailure?.retryAt { candidates.append(d) }
        if let d = runtimeGuard.retryAt { candidates.append(d) }
        if let d = nextClientDeadline { candidates.append(d) }
        for instance in instances {
            if let d = instance.descriptorRetryAt { candidates.append(d) }
        }
        return candidates.min()
    }

    func fireRetryDeadlines(_ t: Instant) {
        dropIdleClients()
        if let d = runtimeGuard.retryAt, d <= t { rebuildRuntimeDirectory() }
        // A start that failed for lack of descriptors is tried again, if it still waits to spawn.
        for instance in instances {
            guard let d = instance.descriptorRetryAt, d <= t else { continue }
            instance.descriptorRetryAt = nil
            if case .waiting = instance.machine.phase { post(.spawn(instance)) }
        }
        // State saves are retried by settle() once their retryAt has passed.
    }

    /// The spawn failed because the daemon ran out of descriptors (EMFILE, ENFILE): not the
    /// instance's fault, so no failed start is counted; it waits and is tried again, as the
    /// descriptors come back when clients leave.
    func deferStartForDescriptors(_ instance: ManagedInstance, _ error: SystemError) -> Bool {
        guard error.errno == EMFILE || error.errno == ENFILE else { return false }
        if instance.descriptorRetryAt == nil {
            log(instance.name, "cannot start yet: \(error); trying again in a second")
        }
        instance.waitingFor = "waiting for free descriptors (\(error.reason))"
        instance.descriptorRetryAt = now + Self.stateRetryInterval
        return true
    }
}
