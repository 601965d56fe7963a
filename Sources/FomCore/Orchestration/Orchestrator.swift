/// Every decision that spans instances, as one pure type (after service-lifecycle): start order
/// (dependencies first), stop order (dependents first), ordered restart, shutdown and reload.
/// It takes events (a command, an instance reaching a condition) and returns directives for the
/// daemon, which turns them into events of the instances' own machines. No syscalls, no clock,
/// no rounds: each event re-evaluates exactly the members it can affect, and whatever follows
/// comes back as a later `reached` event.
public struct Orchestrator: Sendable {
    /// An instance's machine phase without its payload: what the orchestrator decides on.
    public enum Condition: Sendable, Equatable, CaseIterable {
        case stopped, waiting, starting, online, stopping, backoff, errored, exited

        /// No process of the instance can exist, and none is wanted.
        public var isAtRest: Bool { self == .stopped || self == .errored || self == .exited }
        public var isRunning: Bool { self == .starting || self == .online }
    }

    /// What an instance is, to the orchestrator: its name and what it depends on.
    public struct Definition: Sendable, Equatable {
        public var name: String
        public var dependsOn: [String]
        public init(name: String, dependsOn: [String]) {
            self.name = name
            self.dependsOn = dependsOn
        }
    }

    /// What a reload asks for, computed by `ReloadPlan` from the old and new files.
    public struct Reload: Sendable {
        /// New instances, with their ids and whether they start (autostart).
        public var added: [(id: Int, definition: Definition, start: Bool)]
        /// Instances whose definition or environment changed: stopped, swapped, started again.
        public var changed: [(id: Int, definition: Definition)]
        public var removed: [Int]
        /// Instances whose new definition applies in place (a changed `dependsOn`): no restart.
        public var updated: [(id: Int, definition: Definition)]

        public init(
            added: [(id: Int, definition: Definition, start: Bool)] = [],
            changed: [(id: Int, definition: Definition)] = [], removed: [Int] = [],
            updated: [(id: Int, definition: Definition)] = []
        ) {
            self.added = added
            self.changed = changed
            self.removed = removed
            self.updated = updated
        }
    }

    public enum Event: Sendable {
        /// The daemon starts: bring up what is wanted up. A member already in backoff or errored
        /// (where a crashed daemon left it) is left there: it retries at its deadline, or waits
        /// for the user's start; a start now would forgive its failed starts.
        case startup
        /// The user's start: the targets and everything they depend on.
        case start([Int])
        /// The user's stop: several at once go dependents first.
        case stop([Int])
        /// The user's restart: dependents first down, back in dependency order; a dependency
        /// that is down is started.
        case restart([Int])
        case shutdown
        case reload(Reload)
        /// An instance's machine is in this condition now (sent after every machine event).
        case reached(Int, Condition)
        /// Nothing may spawn while set (processes of an earlier run are still going away).
        case hold(String?)
    }

    public enum Directive: Sendable, Equatable {
        /// An event for the instance's own machine.
        case machine(Int, InstanceMachine.Event)
        /// Its dependencies are online: spawn it now (answered with `spawned` or `startFailed`).
        case spawn(Int)
        /// The user's up/down word, to be kept in the state file.
        case wanted(Int, Bool)
        /// Why a waiting instance does not spawn yet; nil once it does.
        case waitingFor(Int, String?)
        /// A changed instance is down: swap in its new definition (a fresh machine).
        case replace(Int)
        /// A removed instance is down: drop it.
        case forget(Int)
        /// Shutdown is complete: every instance is at rest.
        case finished
    }

    /// What happens to a member once a pending stop has brought it down.
    enum AfterDown: Sendable, Equatable {
        case stay, restart, replace(Definition), forget
    }

    /// A directive handed out whose outcome has not come back as `reached` yet.
    enum Issued: Sendable, Equatable { case spawn, stop }

    struct Member: Sendable {
        var definition: Definition
        var wantedUp: Bool
        var condition: Condition = .stopped
        /// A stop that waits for dependents which are going down, and who asked for it.
        var pendingStop: String?
        var after: AfterDown = .stay
        var issued: Issued?
        var waitingFor: String?
    }

    private var members: [Int: Member] = [:]
    /// Ids in dependency order (dependencies first), the order every full pass takes.
    private var order: [Int] = []
    private var idByName: [String: Int] = [:]
    private var dependentsByName: [String: [Int]] = [:]
    public private(set) var shuttingDown = false
    private var finished = false
    private var hold: String?

    public init(_ instances: [(id: Int, definition: Definition, wantedUp: Bool)]) {
        for instance in instances {
            members[instance.id] = Member(definition: instance.definition, wantedUp: instance.wantedUp)
        }
        reindex()
    }

    // MARK: - Queries

    public var ids: [Int] { order }
    public func condition(of id: Int) -> Condition? { members[id]?.condition }
    public func wantedUp(_ id: Int) -> Bool { members[id]?.wantedUp ?? false }

    /// Whether the orchestrator still has work queued for this instance: a pending or issued
    /// stop or spawn, a restart, swap or removal not done yet. A waiting client waits for this.
    public func isBusy(_ id: Int) -> Bool {
        guard let m = members[id] else { return false }
        return m.pendingStop != nil || m.issued != nil || m.after != .stay
    }

    /// Whether the instance is going down, or about to: its dependencies wait for it.
    func isGoingDown(_ m: Member) -> Bool {
        m.pendingStop != nil || m.issued == .stop || m.condition == .stopping
    }

    // MARK: - Events

    public mutating func handle(_ event: Event) -> [Directive] {
        var out: [Directive] = []
        switch event {
        case .startup:
            let wanted = order.filter { members[$0]!.wantedUp }
            startWithDependencies(wanted, resuming: true, into: &out)
            evaluateAll(into: &out)
        case .start(let ids):
            guard !shuttingDown else { return [] }
            startWithDependencies(ids, into: &out)
            evaluateAll(into: &out)
        case .stop(let ids):
            for id in ids where members[id] != nil {
                setWanted(id, false, into: &out)
                members[id]!.pendingStop = "user"
                if members[id]!.after == .restart { members[id]!.after = .stay }
            }
            evaluateAll(into: &out)
        case .restart(let ids):
            guard !shuttingDown else { return [] }
            let targets = ids.filter { members[$0] != nil }
            // What the targets depend on is started when down, never restarted: a restart must
            // not stop an instance only to find that it cannot come back.
            let targetSet = Set(targets)
            let dependencies = targets.flatMap { members[$0]!.definition.dependsOn.compactMap { idByName[$0] } }
            startWithDependencies(dependencies.filter { !targetSet.contains($0) }, into: &out)
            for id in targets {
                setWanted(id, true, into: &out)
                guard case .stay = members[id]!.after else { continue }  // a swap or removal restarts anyway
                members[id]!.pendingStop = "user"
                members[id]!.after = .restart
            }
            evaluateAll(into: &out)
        case .shutdown:
            shuttingDown = true
            for id in order {
                if members[id]!.after == .restart { members[id]!.after = .stay }
                if members[id]!.pendingStop == nil { members[id]!.pendingStop = "shutdown" }
            }
            evaluateAll(into: &out)
        case .reload(let reload):
            applyReload(reload, into: &out)
        case .reached(let id, let condition):
            guard var m = members[id] else { return [] }
            let changed = m.condition != condition
            m.condition = condition
            m.issued = nil
            members[id] = m
            if changed {
                // Its dependents may spawn (or give up), its dependencies may stop now.
                var affected = [id]
                affected += dependentsByName[m.definition.name] ?? []
                affected += m.definition.dependsOn.compactMap { idByName[$0] }
                evaluate(affected, into: &out)
            } else {
                evaluate([id], into: &out)
            }
        case .hold(let reason):
            hold = reason
            evaluateAll(into: &out)
        }
        checkFinished(into: &out)
        return out
    }

    // MARK: - Decisions

    private mutating func startWithDependencies(_ ids: [Int], resuming: Bool = false, into out: inout [Directive]) {
        var queue = ids
        var seen = Set<Int>()
        while let id = queue.popLast() {
            guard seen.insert(id).inserted, var m = members[id] else { continue }
            if m.after == .forget { continue }
            if case .replace = m.after {
                // On its way to a new definition: it comes up after the swap, as wanted.
                setWanted(id, true, into: &out)
                queue.append(contentsOf: m.definition.dependsOn.compactMap { idByName[$0] })
                continue
            }
            m.pendingStop = nil
            if m.after == .restart { m.after = .stay }
            members[id] = m
            setWanted(id, true, into: &out)
            // A machine that is down starts; one on its way down (or about to be) comes back up
            // once it is down; one already starting or up has nothing to do.
            let up = m.condition.isRunning || m.condition == .waiting
            let resumed = resuming && (m.condition == .backoff || m.condition == .errored)
            if resumed {
                queue.append(contentsOf: m.definition.dependsOn.compactMap { idByName[$0] })
                continue
            }
            if m.issued == .stop || (m.issued == nil && !up) { out.append(.machine(id, .start)) }
            queue.append(contentsOf: m.definition.dependsOn.compactMap { idByName[$0] })
        }
    }

    private mutating func setWanted(_ id: Int, _ up: Bool, into out: inout [Directive]) {
        guard members[id]!.wantedUp != up else { return }
        members[id]!.wantedUp = up
        out.append(.wanted(id, up))
    }

    private mutating func applyReload(_ reload: Reload, into out: inout [Directive]) {
        for (id, definition) in reload.updated where members[id] != nil {
            members[id]!.definition = definition
        }
        for id in reload.removed where members[id] != nil {
            members[id]!.after = .forget
            members[id]!.pendingStop = members[id]!.pendingStop ?? "reload"
        }
        for (id, definition) in reload.changed where members[id] != nil {
            members[id]!.after = .replace(definition)
            members[id]!.pendingStop = members[id]!.pendingStop ?? "reload"
        }
        var starts: [Int] = []
        for (id, definition, start) in reload.added where members[id] == nil {
            members[id] = Member(definition: definition, wantedUp: false)
            if start && !shuttingDown { starts.append(id) }
        }
        reindex()
        startWithDependencies(starts, into: &out)
        evaluateAll(into: &out)
    }

    private mutating func evaluateAll(into out: inout [Directive]) {
        evaluate(order, into: &out)
    }

    private mutating func evaluate(_ ids: [Int], into out: inout [Directive]) {
        var seen = Set<Int>()
        for id in ids where seen.insert(id).inserted { evaluate(id, into: &out) }
    }

    /// The one place that decides what an instance does next.
    private mutating func evaluate(_ id: Int, into out: inout [Directive]) {
        guard var m = members[id], m.issued == nil else { return }
        defer { if members[id] != nil { members[id] = m } }

        // 1. A pending stop goes out once no dependent that is going down still runs.
        if let by = m.pendingStop {
            switch m.condition {
            case .starting, .online:
                if runningDependentGoingDown(of: m.definition.name) != nil { return }
                m.pendingStop = nil
                m.issued = .stop
                if m.after == .restart {
                    m.after = .stay
                    out.append(.machine(id, .restart(by: by)))
                } else {
                    out.append(.machine(id, .stop(by: by)))
                }
                return
            case .stopping:
                // Already on its way down: only the word on what follows changes.
                m.pendingStop = nil
                if m.after == .restart {
                    m.after = .stay
                    out.append(.machine(id, .restart(by: by)))
                } else {
                    out.append(.machine(id, .stop(by: by)))
                }
                return
            case .waiting, .backoff:
                m.pendingStop = nil
                if m.after == .restart {
                    // Down already (it ended on its own): the restart only needs the start.
                    m.after = .stay
                    if m.condition == .backoff { out.append(.machine(id, .start)) }
                } else {
                    m.issued = .stop
                    out.append(.machine(id, .stop(by: by)))
                    return
                }
            case .stopped, .errored, .exited:
                m.pendingStop = nil
                if m.condition != .stopped && m.after == .stay && !shuttingDown {
                    // The user's stop turns errored or exited into stopped.
                    m.issued = .stop
                    out.append(.machine(id, .stop(by: by)))
                    return
                }
                if m.after == .restart {
                    m.after = .stay
                    m.issued = .spawn
                    out.append(.machine(id, .start))
                    return
                }
            }
        }

        // 2. Down for good after a reload: swap in the new definition, or forget it.
        if m.condition.isAtRest {
            switch m.after {
            case .forget:
                members[id] = nil
                reindex()
                out.append(.forget(id))
                return
            case .replace(let definition):
                m.definition = definition
                m.after = .stay
                m.condition = .stopped
                members[id] = m
                reindex()
                out.append(.replace(id))
                if m.wantedUp && !shuttingDown {
                    startWithDependencies([id], into: &out)
                    m = members[id]!
                }
                return
            case .stay, .restart:
                break
            }
        }

        // 3. A waiting instance spawns once every dependency is online and staying up.
        if m.condition == .waiting {
            if shuttingDown {
                m.issued = .stop
                out.append(.machine(id, .stop(by: "shutdown")))
                return
            }
            if let hold {
                setWaitingFor(&m, id, hold, into: &out)
                return
            }
            for name in m.definition.dependsOn {
                guard let depID = idByName[name], let dep = members[depID] else { continue }
                if dep.condition == .online && !isGoingDown(dep) { continue }
                let hopeless =
                    dep.condition == .errored || dep.condition == .exited
                    || (dep.condition == .stopped && !dep.wantedUp && dep.pendingStop == nil && dep.issued == nil
                        && dep.after == .stay)
                if hopeless {
                    m.issued = .spawn
                    out.append(.machine(id, .startFailed("dependency \(name) is \(dep.condition)")))
                    return
                }
                setWaitingFor(&m, id, "waiting for \(name)", into: &out)
                return
            }
            if m.waitingFor != nil { out.append(.waitingFor(id, nil)) }
            m.waitingFor = nil
            m.issued = .spawn
            out.append(.spawn(id))
        }
    }

    private func setWaitingFor(_ m: inout Member, _ id: Int, _ reason: String, into out: inout [Directive]) {
        guard m.waitingFor != reason else { return }
        m.waitingFor = reason
        out.append(.waitingFor(id, reason))
    }

    /// A dependent that still runs while it is being taken down: the stop of what it depends on
    /// waits for it. Dependents that stay up are not waited for (stopping a dependency alone
    /// leaves them running, as systemd's Wants= does).
    private func runningDependentGoingDown(of name: String) -> Int? {
        for id in dependentsByName[name] ?? [] {
            guard let d = members[id] else { continue }
            if !d.condition.isAtRest && d.condition != .waiting && d.condition != .backoff && isGoingDown(d) {
                return id
            }
        }
        return nil
    }

    private mutating func checkFinished(into out: inout [Directive]) {
        guard shuttingDown, !finished else { return }
        let done = members.values.allSatisfy {
            $0.condition.isAtRest && $0.pendingStop == nil && $0.issued == nil
        }
        if done {
            finished = true
            out.append(.finished)
        }
    }

    private mutating func reindex() {
        let names = members.sorted { $0.key < $1.key }.map(\.value.definition.name)
        idByName = [:]
        dependentsByName = [:]
        for (id, m) in members { idByName[m.definition.name] = id }
        for (id, m) in members.sorted(by: { $0.key < $1.key }) {
            for dependency in m.definition.dependsOn { dependentsByName[dependency, default: []].append(id) }
        }
        let byName = idByName
        let definitions = members
        order = DependencyOrder.startOrder(names: names) { name in
            byName[name].flatMap { definitions[$0]?.definition.dependsOn } ?? []
        }.compactMap { byName[$0] }
    }
}

// MARK: - Handover (`fom upgrade`): the per-member state, out and back in

extension Orchestrator {
    /// One member as the orchestrator holds it; `Orchestrator+Handover` gives it a JSON form.
    public struct MemberState: Sendable, Equatable {
        public enum After: Sendable, Equatable { case stay, restart, replace(Definition), forget }
        public enum Issued: String, Sendable, Equatable { case spawn, stop }
        public var definition: Definition
        public var wantedUp: Bool
        public var condition: Condition
        public var pendingStop: String?
        public var after: After
        public var issued: Issued?
        public var waitingFor: String?

        public init(
            definition: Definition, wantedUp: Bool, condition: Condition, pendingStop: String?, after: After,
            issued: Issued?, waitingFor: String?
        ) {
            self.definition = definition
            self.wantedUp = wantedUp
            self.condition = condition
            self.pendingStop = pendingStop
            self.after = after
            self.issued = issued
            self.waitingFor = waitingFor
        }
    }

    public var memberStates: [Int: MemberState] {
        members.mapValues { m in
            let after: MemberState.After
            switch m.after {
            case .stay: after = .stay
            case .restart: after = .restart
            case .replace(let d): after = .replace(d)
            case .forget: after = .forget
            }
            return MemberState(
                definition: m.definition, wantedUp: m.wantedUp, condition: m.condition, pendingStop: m.pendingStop,
                after: after, issued: m.issued.map { $0 == .spawn ? .spawn : .stop }, waitingFor: m.waitingFor)
        }
    }

    public var holdReason: String? { hold }

    /// The orchestrator a handed-over daemon goes on with: the same members, mid-way as they were.
    public init(restoring states: [Int: MemberState], shuttingDown: Bool, hold: String?) {
        for (id, s) in states {
            let after: AfterDown
            switch s.after {
            case .stay: after = .stay
            case .restart: after = .restart
            case .replace(let d): after = .replace(d)
            case .forget: after = .forget
            }
            members[id] = Member(
                definition: s.definition, wantedUp: s.wantedUp, condition: s.condition, pendingStop: s.pendingStop,
                after: after, issued: s.issued.map { $0 == .spawn ? .spawn : .stop }, waitingFor: s.waitingFor)
        }
        self.shuttingDown = shuttingDown
        self.hold = hold
        reindex()
    }
}
