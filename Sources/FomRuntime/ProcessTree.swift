import FomCore
import SystemKit

/// Finds every process of an instance, including grandchildren that left its session, by the
/// marker variable each one inherits (as Jenkins's process-tree killer does).
public enum ProcessTree {
    /// Live processes carrying exactly this marker (`FOM_TREE=KEY/NAME`).
    public static func members(marker: String) -> [Int32] {
        ProcFS.processes(withMarker: marker).map(\.pid)
    }

    /// Who is whose child, read from /proc in one pass (and kept for a moment by the daemon when
    /// it stops many instances at once).
    public struct Snapshot: Sendable {
        let children: [Int32: [(pid: Int32, startTime: UInt64)]]

        public init() {
            var children: [Int32: [(pid: Int32, startTime: UInt64)]] = [:]
            for pid in ProcFS.allPids() {
                guard let stat = ProcFS.stat(pid), stat.isLive else { continue }
                children[stat.ppid, default: []].append((pid, stat.startTime))
            }
            self.children = children
        }

        /// Live descendants of `root` (children, their children, ...) with their start times: a
        /// grandchild that cleared its environment (`setsid env -i ...`) carries no marker, but
        /// while its parent lives it is still found this way.
        public func descendants(of root: Int32) -> [(pid: Int32, startTime: UInt64)] {
            var result: [(pid: Int32, startTime: UInt64)] = []
            var queue = [root]
            var seen: Set<Int32> = [root]
            while let parent = queue.popLast() {
                for child in children[parent] ?? [] where seen.insert(child.pid).inserted {
                    result.append(child)
                    queue.append(child.pid)
                }
            }
            return result
        }
    }

    /// The processes of this runtime directory's instances that live in `daemon`'s tree outside
    /// the subtrees of `mains`, by marker (`FOM_TREE=KEY/NAME`): where whatever a run of the
    /// daemon's own leaves behind must be, since the daemon is their subreaper (an orphan comes
    /// back to it, never to init). One read per process of that part of the tree, not one per
    /// process on the host. nil when the kernel lists no children (built without
    /// CONFIG_PROC_CHILDREN): then only a scan of every process can tell.
    public static func strays(below daemon: Int32, outside mains: Set<Int32>, treeKey: String) -> [String: [Int32]]? {
        guard let children = ProcFS.children(of: daemon) else { return nil }
        var pids: [Int32] = []
        for child in children where !mains.contains(child) {
            pids.append(child)
            pids += ProcFS.descendants(of: child) ?? []
        }
        var result: [String: [Int32]] = [:]
        if pids.isEmpty { return result }
        for (pid, entry) in ProcFS.processes(withMarker: "FOM_TREE=\(treeKey)/", prefix: true, among: pids) {
            result[entry, default: []].append(pid)
        }
        return result
    }

    /// Live processes of any instance of this runtime directory, by instance name.
    public static func membersByName(treeKey: String) -> [String: [Int32]] {
        let prefix = "FOM_TREE=\(treeKey)/"
        var result: [String: [Int32]] = [:]
        for (pid, entry) in ProcFS.processes(withMarker: prefix, prefix: true) {
            result[String(entry.dropFirst(prefix.count)), default: []].append(pid)
        }
        return result
    }

    /// A live fom daemon other than this process that runs processes of this runtime directory
    /// (their parent: it spawned them, or adopted them as their subreaper). A daemon whose
    /// runtime directory was removed keeps its instances and makes the directory again; a second
    /// daemon must not start meanwhile and run them twice.
    public static func otherDaemon(treeKey: String) -> Int32? {
        let me = ProcFS.ownPid
        let ourExecutable = Files.executablePath()
        var checked: Set<Int32> = []
        for pids in membersByName(treeKey: treeKey).values {
            for pid in pids {
                guard let parent = ProcFS.stat(pid)?.ppid, parent > 1, parent != me,
                    checked.insert(parent).inserted, ProcFS.isLive(parent)
                else { continue }
                let arguments = ProcFS.arguments(parent)
                if arguments.count > 1, arguments[1] == "daemon", ProcFS.executable(parent) == ourExecutable {
                    return parent
                }
            }
        }
        return nil
    }
}
