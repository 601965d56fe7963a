import FomCore
import FomProtocol
import SystemKit

/// Who watches, what they last saw, and when the next resource sample is due.
final class WatchState {
    /// What a watcher is told about when it changes (uptime and resources are not changes).
    struct Seen: Equatable {
        let status: InstanceStatus
        let pid: Int32?
        let restarts: Int
        let lastExit: String?
    }

    var watchers: Set<Int32> = []
    var seen: [Int: Seen] = [:]
    /// Due while at least one watcher is connected; nil otherwise, so nothing wakes the loop.
    var nextSample: Instant?
    static let sampleInterval: Duration = .seconds(1)
    /// Unsent output a watcher may fall behind by before it is dropped. The kernel's socket
    /// buffer comes on top; past both, the daemon's memory stays bounded and nobody waits.
    static let maxUnsent = 1 << 20
}

/// `watch`: the first line is the answer of `list`, then one line per change (status, pid,
/// restarts, last exit) as it happens, and the cpu and memory of every instance each second.
/// A watcher that stops reading is dropped once it is `maxUnsent` behind; the daemon never
/// waits for it.
extension Supervisor {
    func startWatching(_ fd: Int32) {
        guard let client = clients[fd] else { return }
        // The connection is a stream from now on: further requests on it are not read.
        client.awaitingAnswer = true
        refreshResources()
        if watch.watchers.isEmpty {
            watch.seen = [:]
            for instance in instances { watch.seen[instance.id] = seen(instance) }
        }
        watch.watchers.insert(fd)
        if watch.nextSample == nil { watch.nextSample = now + WatchState.sampleInterval }
        reply(fd, rows(instances))
    }

    func seen(_ instance: ManagedInstance) -> WatchState.Seen {
        WatchState.Seen(
            status: instance.machine.status, pid: instance.machine.pid, restarts: instance.machine.restarts,
            lastExit: instance.machine.lastExit?.description)
    }

    /// Called after every event fed to an instance: tells watchers when something they see changed.
    func noteChange(_ instance: ManagedInstance) {
        guard !watch.watchers.isEmpty else { return }
        let current = seen(instance)
        guard watch.seen[instance.id] != current else { return }
        watch.seen[instance.id] = current
        pushToWatchers(WatchEvent.change(infoWithResources(instance, now: now, detailed: false)).json)
    }

    /// A removed instance is gone: watchers drop its row.
    func noteRemoval(_ id: Int) {
        watch.seen[id] = nil
        guard !watch.watchers.isEmpty else { return }
        pushToWatchers(WatchEvent.removed(id: id).json)
    }

    /// The deadline of the next sample has passed: sample, push, schedule the next one.
    func fireWatchSample() {
        watch.nextSample = nil
        guard !watch.watchers.isEmpty else { return }
        let t = now
        resources.sample(instances, treeKey: options.runtime.treeKey, now: t)
        pushToWatchers(WatchEvent.sample(instances.map(resources.resourceSample(of:))).json)
        if !watch.watchers.isEmpty { watch.nextSample = t + WatchState.sampleInterval }
    }

    func pushToWatchers(_ value: JSONValue) {
        let line = Array((value.serialized() + "\n").utf8)
        for fd in watch.watchers {
            guard let client = clients[fd] else {
                watch.watchers.remove(fd)
                continue
            }
            if client.unsentCount + line.count > WatchState.maxUnsent {
                log("fom", "dropped a watcher that stopped reading (\(client.unsentCount) bytes behind)")
                dropClient(fd)
                continue
            }
            client.queue(line)
            flush(fd, client)
        }
    }

    /// A client left: when it was the last watcher, the per-second sample stops.
    func stopWatching(_ fd: Int32) {
        guard watch.watchers.remove(fd) != nil else { return }
        if watch.watchers.isEmpty {
            watch.nextSample = nil
            watch.seen = [:]
        }
    }
}
