/// The journal entry of one captured stream (an instance's stdout or stderr), kept in shared
/// memory that outlives the daemon, so that a daemon killed at any instruction loses no byte
/// the instance printed and writes none twice.
///
/// Bytes leave the instance's pipe only by landing in the stream's spool (splice: one step),
/// at increasing offsets. `processed` is the spool offset up to which the log has the bytes.
/// Before each write to the log the daemon arms the entry (`armedEnd`, the log file's inode and
/// size, and the length it is about to write); after the write it sets `processed = armedEnd`.
/// A daemon that finds an armed entry looks at the log: the whole write is there (it landed,
/// `processed` moves on), or part of it (cut away, written again), or none (written again).
public struct CaptureSlot: Equatable, Sendable {
    /// Spool offset up to which the log holds the stream's bytes.
    public var processed: Int64
    /// The spool offset a write under way covers up to; equal to `processed` when none is.
    public var armedEnd: Int64
    /// The log file the write went to, its size before it, and the bytes written.
    public var logInode: Int64
    public var logSizeBefore: Int64
    public var logLength: Int64

    /// Words (Int64) per entry in the shared table.
    public static let words = 5

    public init(
        processed: Int64 = 0, armedEnd: Int64 = 0, logInode: Int64 = 0, logSizeBefore: Int64 = 0, logLength: Int64 = 0
    ) {
        self.processed = processed
        self.armedEnd = armedEnd
        self.logInode = logInode
        self.logSizeBefore = logSizeBefore
        self.logLength = logLength
    }

    public var isArmed: Bool { armedEnd != processed }

    public enum Settlement: Equatable, Sendable {
        /// No write was under way.
        case nothingPending
        /// The write is in the log whole: the spool is processed up to `armedEnd`.
        case landed
        /// The write is not in the log (or only part of it, which is cut away by truncating the
        /// log to `truncateTo`): the bytes from `processed` on are written again.
        case redo(truncateTo: Int64?)
    }

    /// What the log, as it is now (`nil`: it cannot be opened), says about an armed write.
    /// Only the daemon writes the log, so a log with the same inode that grew by the whole length
    /// has it. A log with another inode was replaced by someone else: the write goes to the new one.
    public func settle(logInode inode: Int64?, logSize size: Int64?) -> Settlement {
        guard isArmed else { return .nothingPending }
        guard let inode, let size, inode == logInode else { return .redo(truncateTo: nil) }
        if size >= logSizeBefore + logLength { return .landed }
        return .redo(truncateTo: size > logSizeBefore ? logSizeBefore : nil)
    }

    /// The entry after settling: processed up to where the log is whole, nothing armed.
    public func settled(_ settlement: Settlement) -> CaptureSlot {
        var next = self
        if settlement == .landed { next.processed = armedEnd }
        next.armedEnd = next.processed
        return next
    }
}
