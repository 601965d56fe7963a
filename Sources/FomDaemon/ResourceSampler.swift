import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The cpu and memory of each instance's whole process tree (every process carrying its
/// marker), measured only when someone asks: a `list` or `describe`, a watcher (each second),
/// or `maxMemory`. Nothing here runs on a timer of its own, so an idle daemon never wakes for it.
final class ResourceSampler {
    struct Usage {
        /// nil until a second sample of the same run, at least `minimumInterval` later.
        var cpuPercent: Double?
        var memoryBytes: Int
        /// The main process the numbers belong to: a new run needs a new sample.
        var pid: Int32?
    }

    /// A sample this young answers `list` as it is: back-to-back commands cost one /proc scan.
    static let freshness: Duration = .seconds(1)
    /// Ticks are 10 ms: over a shorter interval a percentage would be mostly rounding.
    static let minimumInterval: Duration = .milliseconds(200)

    private(set) var usage: [Int: Usage] = [:]
    private var baselines: [Int: (at: Instant, times: [TreeCPU.Process: UInt64])] = [:]
    private var takenAt: Instant?
    /// Ticks each instance's trees used, summed over every sample since the daemon started (a
    /// counter for /metrics): what each process gained since the previous sample, and all of a
    /// process seen for the first time.
    private var ticksTotal: [Int: UInt64] = [:]
    private var lastTimes: [Int: [TreeCPU.Process: UInt64]] = [:]

    /// Whether the last sample still answers for these instances (young enough, same runs).
    func isFresh(_ instances: [ManagedInstance], now: Instant) -> Bool {
        guard let takenAt, now - takenAt < Self.freshness else { return false }
        return instances.allSatisfy { usage[$0.id]?.pid == $0.machine.pid }
    }

    /// The processes of each instance, by name: its main process and everything below it (a
    /// child, or a process adopted after a daemon crash), and each orphan the daemon adopted (it
    /// is a subreaper) with what is below that, by the marker in the orphan's environment. Only
    /// the daemon's own descendants and adopted main processes are read, and only the orphans'
    /// environments: the rest of the host costs nothing, and a `list` never waits on a large
    /// unrelated process that is exiting. Without the kernel's `children` files: the marker of
    /// every process.
    static func members(_ instances: [ManagedInstance], treeKey: String) -> [String: [Int32]] {
        guard let top = ProcFS.children(of: getpid()) else { return ProcessTree.membersByName(treeKey: treeKey) }
        var mains: [Int32: String] = [:]
        for instance in instances { if let pid = instance.machine.pid { mains[pid] = instance.name } }
        let prefix = "FOM_TREE=\(treeKey)/"
        var result: [String: [Int32]] = [:]
        for child in top {
            let name =
                mains[child]
                ?? ProcFS.processes(withMarker: prefix, prefix: true, among: [child]).first.map {
                    String($0.marker.dropFirst(prefix.count))
                }
            guard let name else { continue }
            result[name, default: []] += [child] + (ProcFS.descendants(of: child) ?? [])
        }
        // A main process adopted after a daemon crash is not our child (it went to init or an
        // outer subreaper): its tree is read from it, as a child's is.
        let ours = Set(top)
        for instance in instances {
            guard let pid = instance.machine.pid, !ours.contains(pid), result[instance.name] == nil,
                ProcFS.stat(pid)?.isLive == true
            else { continue }
            result[instance.name] = [pid] + (ProcFS.descendants(of: pid) ?? [])
        }
        return result
    }

    /// One pass over the daemon's descendants for every instance.
    func sample(_ instances: [ManagedInstance], treeKey: String, now: Instant) {
        let members = Self.members(instances, treeKey: treeKey)
        takenAt = now
        for instance in instances {
            guard let pids = members[instance.name], !pids.isEmpty else {
                usage[instance.id] = nil
                baselines[instance.id] = nil
                lastTimes[instance.id] = nil
                continue
            }
            var times: [TreeCPU.Process: UInt64] = [:]
            var pages = 0
            for pid in pids {
                guard let stat = ProcFS.stat(pid), stat.isLive else { continue }
                times[TreeCPU.Process(pid: pid, startTime: stat.startTime)] = stat.cpuTicks
                pages += stat.rssPages
            }
            ticksTotal[instance.id, default: 0] += TreeCPU.ticksUsed(
                previous: lastTimes[instance.id] ?? [:], current: times)
            lastTimes[instance.id] = times
            let pid = instance.machine.pid
            var cpu = usage[instance.id].flatMap { $0.pid == pid ? $0.cpuPercent : nil }
            if let base = baselines[instance.id] {
                let elapsed = now - base.at
                if elapsed >= Self.minimumInterval {
                    cpu = TreeCPU.percent(
                        ticks: TreeCPU.ticksUsed(previous: base.times, current: times),
                        ticksPerSecond: ProcFS.ticksPerSecond, elapsedNanoseconds: elapsed.nanoseconds)
                    baselines[instance.id] = (now, times)
                }
            } else {
                baselines[instance.id] = (now, times)
            }
            usage[instance.id] = Usage(cpuPercent: cpu, memoryBytes: pages * ProcFS.pageSize, pid: pid)
        }
    }

    /// CPU seconds the instance's trees used, as sampled since the daemon started; nil before
    /// its first sample.
    func cpuSeconds(_ id: Int) -> Double? {
        guard let ticks = ticksTotal[id], ProcFS.ticksPerSecond > 0 else { return nil }
        return Double(ticks) / Double(ProcFS.ticksPerSecond)
    }

    func resourceSample(of instance: ManagedInstance) -> ResourceSample {
        let u = usage[instance.id]
        return ResourceSample(
            id: instance.id, cpuPercent: u?.cpuPercent, memoryBytes: u?.memoryBytes,
            cpuSeconds: cpuSeconds(instance.id))
    }
}
