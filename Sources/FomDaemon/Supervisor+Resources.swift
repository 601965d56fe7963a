import FomCore
import FomProtocol

/// The cpu and memory columns: a sample taken when a `list`, `describe` or watcher asks and
/// the last one is stale, never on an idle timer.
extension Supervisor {
    /// Samples every instance unless the last sample is fresh enough to answer as it is.
    func refreshResources() {
        let t = now
        if !resources.isFresh(instances, now: t) {
            resources.sample(instances, treeKey: options.runtime.treeKey, now: t)
        }
    }

    /// What `list` and `describe` show of an instance, with its last cpu and memory sample.
    func infoWithResources(_ instance: ManagedInstance, now t: Instant, detailed: Bool) -> InstanceInfo {
        var info = instance.info(now: t, detailed: detailed)
        info.cpuSeconds = resources.cpuSeconds(instance.id)
        // A sample of an earlier run (the pid changed since) says nothing about this one.
        if let usage = resources.usage[instance.id], usage.pid == instance.machine.pid,
            instance.machine.status.hasProcess
        {
            info.cpuPercent = usage.cpuPercent
            info.memoryBytes = usage.memoryBytes
        }
        return info
    }
}
