/// The CPU a process tree used between two looks at /proc, as `top` shows it: a percentage of
/// one core over the interval, not an average since the processes started.
public enum TreeCPU {
    /// A process as /proc names it for good: a pid is reused, a pid with its start time is not.
    public struct Process: Hashable, Sendable {
        public let pid: Int32
        public let startTime: UInt64
        public init(pid: Int32, startTime: UInt64) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    /// Clock ticks (user + system) the tree used since `previous`: what each process seen both
    /// times gained, plus everything used by a process that appeared since (it started within
    /// the interval). A process that ended meanwhile takes its last ticks with it: the error
    /// is at most its share of one interval, and the column never counts a tick twice.
    public static func ticksUsed(previous: [Process: UInt64], current: [Process: UInt64]) -> UInt64 {
        var total: UInt64 = 0
        for (process, ticks) in current {
            let before = previous[process] ?? 0
            // A process's counters only grow; a smaller value means a misread: count nothing.
            if ticks > before { total += ticks - before }
        }
        return total
    }

    /// Percent of one core, to a tenth; nil for an interval too short to mean anything.
    public static func percent(ticks: UInt64, ticksPerSecond: Int, elapsedNanoseconds: Int64) -> Double? {
        guard ticksPerSecond > 0, elapsedNanoseconds > 0 else { return nil }
        let seconds = Double(elapsedNanoseconds) / 1e9
        let value = Double(ticks) / Double(ticksPerSecond) / seconds * 100
        return (value * 10).rounded() / 10
    }
}
