/// What the daemon keeps about `fom upgrade`: the request waiting for a quiet moment, the
/// daemon lock's descriptor (it must survive the exec, or a second daemon could start), and the
/// last re-exec, which `fom ping` shows.
struct HandoverInfo {
    struct Pending {
        let client: Int32
        /// nil: the daemon's own executable path (replace the file, run `fom upgrade`).
        let binary: String?
        /// Monotonic nanoseconds when it was asked for: it waits for a quiet moment this long at most.
        let since: Int64
    }
    static let quietWait: Int64 = 120_000_000_000

    var pending: Pending?
    var lockFD: Int32 = -1
    /// Wall-clock time of the last re-exec, and the version it came from.
    var reexecutedWallMs: Int64?
    var previousVersion: String?
    /// The connection to the descriptor holder (-1: none), and the key of each pipe it holds.
    var holderFD: Int32 = -1
    var heldKeys: [Int32: String] = [:]
    var restartingHolder = false
    /// The capture journal was taken back from the holder (a crashed daemon's): its entries say
    /// how far each held spool is in its log.
    var journalFromHolder = false
    /// Processes adopted after a daemon crash (not our children): pidfd -> instance.
    var adopted: [Int32: ManagedInstance] = [:]
    var adoptedNames: Set<String> = []
}
