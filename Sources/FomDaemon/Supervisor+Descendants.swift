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
        // One /proc pass serves every stop of the same moment (a shutdown of 1,000 instances).
        let t = now
        let fresh = processSnapshot.map { (t - $0.at) < Duration.milliseconds(100) } ?? false
        if !fresh { processSnapshot = (t, ProcessTree.Snapshot()) }
        for (pid, start) in processSnapshot!.snapshot.descendants(of: main) { instance.descendantsAtStop[pid] = start }
    }

    /// What is left of an instance: processes with its marker, and remembered descendants that
    /// are still the same processes (same start time).
    func leftoverMembers(of instance: ManagedInstance) -> [Int32] {
        var pids = Set(markedProcesses(instance.marker))
        for (pid, start) in instance.descendantsAtStop {
            if ProcFS.isSameRun(pid, startTime: start) {
                pids.insert(pid)
            } else {
                instance.descendantsAtStop[pid] = nil
            }
        }
        return Array(pids)
    }

    /// The live processes that carry `marker`. One scan of /proc serves every instance of the
    /// same turn; each candidate is read again, so a process that ended or was replaced since
    /// the scan is never signalled.
    func markedProcesses(_ marker: String) -> [Int32] {
        let t = now
        if markerSnapshot == nil || markerSnapshot!.turn != turn || t - markerSnapshot!.at >= .milliseconds(100) {
            var pids: [String: [Int32]] = [:]
            let prefix = "FOM_TREE=\(options.runtime.treeKey)/"
            for (pid, entry) in ProcFS.processes(withMarker: prefix, prefix: true) { pids[entry, default: []].append(pid) }
            markerSnapshot = (turn, t, pids)
        }
        guard let candidates = markerSnapshot!.pids[marker], !candidates.isEmpty else { return [] }
        return ProcFS.processes(withMarker: marker, among: candidates).map(\.pid)
    }
}
