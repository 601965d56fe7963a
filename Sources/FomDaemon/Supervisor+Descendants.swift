import FomCore
import FomRuntime
import SystemKit

/// An instance's processes beyond its marker: what the main process had started when it was
/// told to stop, followed by pid ancestry while the daemon lives.
extension Supervisor {
    /// Notes the main process's descendants before it is signalled: once it has exited, a
    /// grandchild without the marker could no longer be told apart from any other process.
    func rememberDescendants(of instance: ManagedInstance, main: Int32) {
        instance.descendantsAtStop = [:]
        // The kernel's children lists, below the main process only: one read per process of its
        // tree, not one per process on the host.
        if let below = ProcFS.descendants(of: main) {
            for pid in below {
                if let st = ProcFS.stat(pid), st.isLive { instance.descendantsAtStop[pid] = st.startTime }
            }
            return
        }
        // A kernel without them: one /proc pass serves every stop of the same moment (a
        // shutdown of 1,000 instances).
        let t = now
        let fresh = processSnapshot.map { (t - $0.at) < Duration.milliseconds(100) } ?? false
        if !fresh { processSnapshot = (t, ProcessTree.Snapshot()) }
        for (pid, start) in processSnapshot!.snapshot.descendants(of: main) { instance.descendantsAtStop[pid] = start }
    }

    /// What is left of an instance: processes with its marker, and remembered descendants that
    /// are still the same processes (same start time). `anywhere` looks for the marker on the
    /// whole host; otherwise, for a run this daemon started, in the daemon's own tree.
    func leftoverMembers(of instance: ManagedInstance, anywhere: Bool) -> [Int32] {
        var pids = Set(anywhere ? markedProcesses(instance.marker) : markedProcesses(of: instance))
        for (pid, start) in instance.descendantsAtStop {
            if ProcFS.isSameRun(pid, startTime: start) {
                pids.insert(pid)
            } else {
                instance.descendantsAtStop[pid] = nil
            }
        }
        return Array(pids)
    }

    /// The live processes that carry the instance's marker, where what a run that ended by
    /// itself (a crash) leaves behind must be. A run this daemon started leaves its orphans in
    /// the daemon's own tree (it is their subreaper), so they are looked for there: below the
    /// main process while it lives, and among the strays, what hangs off the daemon outside
    /// every main process. One read of the daemon's children list instead of one of every
    /// process on the host, which with 1,000 instances cost an exit 30 ms. A run adopted after a
    /// crash is not the daemon's descendant: for it every process on the host is read, as when
    /// the daemon could not be made a subreaper or the kernel lists no children. A stop always
    /// looks on the whole host (`leftoverMembers(of:anywhere:)`): what a job started outside the
    /// tree with the instance's environment (`at`, a user unit) is stopped with it too. Each
    /// candidate is read again before it is returned, so a process that ended or was replaced
    /// since is never signalled.
    func markedProcesses(of instance: ManagedInstance) -> [Int32] {
        guard instance.runIsDaemonChild, isSubreaper, let strays = strayProcesses() else {
            return markedProcesses(instance.marker)
        }
        var candidates = strays[instance.marker] ?? []
        if let main = instance.machine.pid {
            candidates.append(main)
            candidates += ProcFS.descendants(of: main) ?? []
        }
        if candidates.isEmpty { return [] }
        return ProcFS.processes(withMarker: instance.marker, among: candidates).map(\.pid)
    }

    /// The strays by marker, read once for every exit of the same turn of the loop. A main
    /// process reaped since makes it stale (its orphans came to the daemon after the read):
    /// `reapChildren` drops it then.
    func strayProcesses() -> [String: [Int32]]? {
        let t = now
        if let cached = straySnapshot, readIsFresh(cached.turn, cached.at, now: t) { return cached.pids }
        var mains = Set<Int32>()
        for instance in instances { if let pid = instance.machine.pid { mains.insert(pid) } }
        guard let pids = ProcessTree.strays(below: ProcFS.ownPid, outside: mains, treeKey: options.runtime.treeKey)
        else { return nil }
        straySnapshot = (turn, t, pids)
        return pids
    }

    /// Whether what was read from /proc at `at`, in turn `readTurn`, still serves: in the same
    /// turn of the loop, and for 100 ms at most of a long one.
    func readIsFresh(_ readTurn: Int, _ at: Instant, now t: Instant) -> Bool {
        readTurn == turn && t - at < .milliseconds(100)
    }

    /// The live processes anywhere on the host that carry `marker`. One scan of /proc serves
    /// every instance of the same turn.
    func markedProcesses(_ marker: String) -> [Int32] {
        let t = now
        if markerSnapshot.map({ !readIsFresh($0.turn, $0.at, now: t) }) ?? true {
            var pids: [String: [Int32]] = [:]
            let prefix = "FOM_TREE=\(options.runtime.treeKey)/"
            for (pid, entry) in ProcFS.processes(withMarker: prefix, prefix: true) { pids[entry, default: []].append(pid) }
            markerSnapshot = (turn, t, pids)
        }
        guard let candidates = markerSnapshot!.pids[marker], !candidates.isEmpty else { return [] }
        return ProcFS.processes(withMarker: marker, among: candidates).map(\.pid)
    }
}
