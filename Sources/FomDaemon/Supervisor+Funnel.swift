import FomCore
import FomProtocol
import SystemKit

/// The one funnel: descriptors, signals, timers and requests post work; `drain` performs it in
/// order, in one place. A machine event's effects may post more work but never re-enter; after
/// each machine event the orchestrator hears the condition the instance is in, and its directives
/// become more work. Nothing reads state back after it changed: each item carries what it needs.
extension Supervisor {
    func post(_ work: Work) { queue.append(work) }

    /// An event for an instance's machine, performed in order by `drain`.
    func feed(_ instance: ManagedInstance, _ event: InstanceMachine.Event) {
        post(.machine(instance, event))
    }

    func drain() {
        precondition(!draining, "the work queue is drained in one place only")
        draining = true
        defer { draining = false }
        var next = 0
        while next < queue.count {
            let work = queue[next]
            next += 1
            switch work {
            case .machine(let instance, let event): deliver(event, to: instance)
            case .orchestrate(let event): direct(orchestrator.handle(event))
            case .spawn(let instance):
                guard isCurrent(instance) else { continue }
                spawn(instance)
            }
            // A long pass (a restart storm of 1,000) must not hold every item ever queued.
            if next >= 4096 {
                queue.removeFirst(next)
                next = 0
            }
        }
        queue.removeAll(keepingCapacity: true)
    }

    /// Whether this object is still the daemon's instance of its id (not replaced, not forgotten).
    func isCurrent(_ instance: ManagedInstance) -> Bool { byID[instance.id] === instance }

    func deliver(_ event: InstanceMachine.Event, to instance: ManagedInstance) {
        guard isCurrent(instance) else { return }
        let actions = instance.machine.handle(event, now: now)
        for action in actions { perform(action, for: instance) }
        // A ready probe belongs to `starting` only; its deadline must not keep the loop awake.
        if case .starting = instance.machine.phase {} else { instance.probe = nil }
        // Errored after SIGKILL failed: nothing more can be done for those processes.
        if instance.machine.status == .errored && !instance.leftovers.isEmpty { abandonLeftovers(instance) }
        noteChange(instance)
        recordProgress(instance)
        post(.orchestrate(.reached(instance.id, instance.condition)))
    }

    func direct(_ directives: [Orchestrator.Directive]) {
        for directive in directives {
            switch directive {
            case .machine(let id, let event):
                if let instance = byID[id] { feed(instance, event) }
            case .spawn(let id):
                if let instance = byID[id] { post(.spawn(instance)) }
            case .wanted(let id, let up):
                if let instance = byID[id] { setWanted(instance, up) }
            case .waitingFor(let id, let reason):
                byID[id]?.waitingFor = reason
            case .replace(let id):
                replaceInstance(id)
            case .forget(let id):
                forgetInstance(id)
            case .finished:
                finishShutdown()
            }
        }
    }

    func setWanted(_ instance: ManagedInstance, _ up: Bool) {
        if instance.wantedUp != up || state.wanted[instance.name] != up {
            instance.wantedUp = up
            state.wanted[instance.name] = up
            stateDirty = true
        }
    }

    var strangersNote: String {
        "waiting for \(strangers.count) process(es) of an earlier run to exit"
    }
}

extension ManagedInstance {
    /// The machine's phase as the orchestrator sees it.
    var condition: Orchestrator.Condition {
        switch machine.phase {
        case .stopped: return .stopped
        case .waiting: return .waiting
        case .starting: return .starting
        case .online: return .online
        case .stopping: return .stopping
        case .backoff: return .backoff
        case .errored: return .errored
        case .exited: return .exited
        }
    }
}
