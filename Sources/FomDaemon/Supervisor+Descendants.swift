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
        var pids = Set(ProcessTree.members(marker: instance.marker))
        for (pid, start) in instance.descendantsAtStop {
            if ProcFS.isSameRun(pid, startTime: start) {
                pids.insert(pid)
            } else {
                instance.descendantsAtStop[pid] = nil
            }
        }
        return Array(pids)
    }
}
