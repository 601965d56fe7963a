import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// `maxMemory`: the resident memory of each whole process tree, measured every few seconds
/// while an online instance asks for it, and only then.
extension Supervisor {
    /// Memory is measured only while an online instance asks for it: otherwise nothing wakes us.
    func scheduleMemoryCheck() {
        let needed = instances.contains { $0.config.maxMemory != nil && $0.machine.status == .online }
        if !needed {
            nextMemoryCheck = nil
        } else if nextMemoryCheck == nil {
            nextMemoryCheck = now + Self.memoryCheckInterval
        }
    }

    /// One pass over /proc for every instance: the resident memory of each whole process tree.
    func checkMemory() {
        let watched = instances.filter { $0.config.maxMemory != nil && $0.machine.status == .online }
        guard !watched.isEmpty else { return }
        let t = now
        // The same sample answers `list` and watchers: one /proc scan serves all three.
        resources.sample(instances, treeKey: options.runtime.treeKey, now: t)
        for instance in watched {
            guard let limit = instance.config.maxMemory else { continue }
            let rss = resources.usage[instance.id]?.memoryBytes ?? 0
            if rss > limit {
                feed(
                    instance,
                    .memoryExceeded(
                        "RSS \(SizeText.approximate(rss)) over maxMemory \(SizeText.format(limit))",
                        stable: instance.memoryWasUnderLimit))
            } else if case .online(_, let since) = instance.machine.phase, t - since >= instance.config.minUptime {
                instance.memoryWasUnderLimit = true
            }
        }
    }
}
