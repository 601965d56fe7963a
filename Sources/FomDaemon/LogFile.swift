import FomCore
import SystemKit

/// One captured stream (`NAME.out.log`): whole lines only, size rotation that never splits a
/// line, optional timestamps. A write error is counted and the data dropped: a full disk must
/// neither kill the daemon nor block the child. A write that the disk cut short is taken back,
/// so that a full disk drops whole lines and never leaves half of one for the next to join.
/// The file is opened from its directory's descriptor, never through a symlink. An instance's
/// streams come through a spool (`Capture/LogFile+Spool.swift`), with each write recorded in the
/// capture journal; fom.log and a stream without a spool are written straight.
public final class LogFile {
    public private(set) var path: String
    private(set) var directory: Directory
    private(set) var name: String
    private(set) var maxSize: Int
    private(set) var keep: Int
    private(set) var timestamps: Bool
    private var fd: Int32 = -1
    private var size = 0
    /// The open file's inode (for the capture journal: a write is known by file, size and length).
    private var inode: Int64 = -1
    /// The tail of the last read that did not end in a newline yet (a stream without a spool).
    var partial: [UInt8] = []
    /// Write errors since the last write that landed (zero again once the disk has room).
    public private(set) var errors = 0
    public private(set) var lastError: String?
    /// A line longer than this is written in pieces rather than held forever.
    static let maxPartial = 1 << 20

    public init(directory: Directory, name: String, maxSize: Int, keep: Int, timestamps: Bool) {
        self.directory = directory
        self.name = name
        self.path = directory.path + "/" + name
        self.maxSize = max(maxSize, 1)
        self.keep = keep
        self.timestamps = timestamps
    }

    deinit { FileDescriptor.close(fd) }

    /// Appends bytes read from a pipe; complete lines are written now, the rest waits in
    /// memory (a stream with no spool: see `LogFile+Spool.swift` for the one that has one).
    public func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The hot path of log capture: straight from the daemon's read buffer to the file, with no
    /// copy unless a line is split across two reads or timestamps are asked for.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let lastNewline = Self.lastNewline(in: bytes) else {
            partial.append(contentsOf: bytes)
            if partial.count >= Self.maxPartial { flushPartial() }
            return
        }
        let complete = UnsafeRawBufferPointer(rebasing: bytes[...lastNewline])
        if partial.isEmpty {
            writeLines(complete)
        } else {
            var chunk = partial
            chunk.append(contentsOf: complete)
            chunk.withUnsafeBytes { writeLines($0) }
        }
        partial = Array(bytes[(lastNewline + 1)...])
    }

    /// Writes what is left without a newline (the process ended mid-line).
    public func flushPartial() {
        guard !partial.isEmpty else { return }
        let chunk = partial
        partial = []
        chunk.withUnsafeBytes { writeLines($0, closeLastLine: true) }
    }

    /// Writes one of fom's own lines.
    public func appendLine(_ text: String) {
        Array((text + "\n").utf8).withUnsafeBytes { writeLines($0) }
    }

    static func lastNewline(in bytes: UnsafeRawBufferPointer) -> Int? {
        FileDescriptor.lastIndex(of: 10, in: bytes)
    }

    /// Where the bytes of a write came from in a stream's spool: the journal entry is armed
    /// before each write and committed after it.
    struct SpoolCursor {
        let journal: CaptureJournal
        let slot: Int32
        /// The spool offset of the first byte given to `writeLines`.
        let start: Int64
    }

    /// Writes whole lines (the last one without its newline when `closeLastLine`: it gets one),
    /// each with the time in front when timestamps are on, in pieces that keep each file within
    /// maxSize where lines allow it; a rotation falls between two pieces, never inside one.
    func writeLines(_ source: UnsafeRawBufferPointer, closeLastLine: Bool = false, cursor: SpoolCursor? = nil) {
        let prefix: [UInt8] =
            timestamps ? Array((Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " ").utf8) : []
        var start = 0
        while start < source.count {
            guard ensureOpen() else {
                // No file to write to: the bytes are dropped (counted in `errors`), not kept forever.
                if let cursor { cursor.journal.skip(cursor.slot, to: cursor.start + Int64(source.count)) }
                return
            }
            guard let end = pieceEnd(source, from: start, prefix: prefix.count, closeLastLine: closeLastLine) else {
                rotate()
                continue
            }
            if prefix.isEmpty && !(closeLastLine && end == source.count) {
                write(UnsafeRawBufferPointer(rebasing: source[start..<end]), cursor: cursor, sourceEnd: end)
            } else {
                var data: [UInt8] = []
                data.reserveCapacity(end - start + (end - start) / 8 + prefix.count + 1)
                var line = start
                while line < end {
                    let newline =
                        FileDescriptor.firstIndex(of: 10, in: source, from: line).map { min($0, end - 1) } ?? end - 1
                    data.append(contentsOf: prefix)
                    data.append(contentsOf: UnsafeRawBufferPointer(rebasing: source[line...newline]))
                    if source[newline] != 10 { data.append(10) }
                    line = newline + 1
                }
                data.withUnsafeBytes { write($0, cursor: cursor, sourceEnd: end) }
            }
            start = end
            if size >= maxSize { rotate() }
        }
    }

    /// The end of the next piece: the whole lines from `start` whose written form fits the room
    /// left in the file. Nil when not one fits and the file has lines already (rotate first); a
    /// file with nothing in it takes one line whatever its size.
    private func pieceEnd(_ source: UnsafeRawBufferPointer, from start: Int, prefix: Int, closeLastLine: Bool) -> Int? {
        let room = maxSize - size
        if prefix == 0 && !closeLastLine {
            if source.count - start <= room { return source.count }
            let window = UnsafeRawBufferPointer(rebasing: source[start..<start + max(room, 0)])
            if let cut = Self.lastNewline(in: window) { return start + cut + 1 }
            if size > 0 { return nil }
            return (FileDescriptor.firstIndex(of: 10, in: source, from: start) ?? source.count - 1) + 1
        }
        var written = 0
        var end = start
        while end < source.count {
            let newline = FileDescriptor.firstIndex(of: 10, in: source, from: end) ?? source.count - 1
            let length = prefix + (newline + 1 - end) + (source[newline] == 10 ? 0 : 1)
            if written + length > room {
                if end > start { break }
                return size > 0 ? nil : newline + 1
            }
            written += length
            end = newline + 1
        }
        return end
    }

    /// Writes one piece made of whole lines, or none of it: a short write followed by an error
    /// (a full disk) is truncated away, so the file still ends at a line end. With a cursor, the
    /// journal entry is armed first and committed after, landed or dropped.
    private func write(_ bytes: UnsafeRawBufferPointer, cursor: SpoolCursor?, sourceEnd: Int) {
        let before = size
        if let cursor {
            cursor.journal.arm(
                cursor.slot, end: cursor.start + Int64(sourceEnd), logInode: inode, logSizeBefore: Int64(before),
                length: Int64(bytes.count))
        }
        do {
            size += try FileDescriptor.writeAll(fd, bytes)
            if errors > 0 {
                // The disk has room again.
                errors = 0
                lastError = nil
            }
        } catch {
            errors += 1
            lastError = "write \(path): \(error.reason)"
            FileDescriptor.truncate(fd, to: before)
        }
        if let cursor { cursor.journal.commit(cursor.slot) }
    }

    /// After a daemon crash: settles this stream's journal entry against the log as it is (a
    /// write the crashed daemon had under way landed whole, or is cut away to be written again).
    func settle(_ journal: CaptureJournal, slot: Int32) {
        let entry = journal[slot]
        guard entry.isArmed else { return }
        let open = ensureOpen()
        let settlement = entry.settle(logInode: open ? inode : nil, logSize: open ? Int64(size) : nil)
        if case .redo(let truncateTo?) = settlement {
            FileDescriptor.truncate(fd, to: Int(truncateTo))
            size = Int(truncateTo)
        }
        journal[slot] = entry.settled(settlement)
    }

    private func ensureOpen() -> Bool {
        if fd >= 0 { return true }
        fd = directory.openForAppend(name)
        if fd < 0 {
            errors += 1
            lastError = SystemError("open \(path)").description
            return false
        }
        let identity = FileDescriptor.identity(fd)
        size = identity?.size ?? 0
        inode = identity?.inode ?? -1
        return true
    }

    /// NAME.log -> NAME.log.1 -> ... -> NAME.log.KEEP (dropped beyond).
    public func rotate() {
        FileDescriptor.close(fd)
        fd = -1
        if keep <= 0 {
            directory.truncate(name)
        } else {
            directory.remove("\(name).\(keep)")
            var i = keep - 1
            while i >= 1 {
                _ = directory.rename("\(name).\(i)", to: "\(name).\(i + 1)")
                i -= 1
            }
            _ = directory.rename(name, to: "\(name).1")
        }
        size = 0
    }

    /// Goes on in another directory (the log directory was removed and made again): the next
    /// write opens the file there.
    public func move(to directory: Directory) {
        FileDescriptor.close(fd)
        fd = -1
        size = 0
        self.directory = directory
    }

    /// `fom flush`: empties the current file and drops the archives.
    public func flush() {
        FileDescriptor.close(fd)
        fd = -1
        directory.truncate(name)
        for i in 1...max(keep, 1) { directory.remove("\(name).\(i)") }
        size = 0
    }

    /// New settings (a reload): they apply from the next write; a line being assembled is kept,
    /// and a new directory or name is opened on the next write.
    public func reconfigure(directory: Directory, name: String, maxSize: Int, keep: Int, timestamps: Bool) {
        if directory.path != self.directory.path || name != self.name {
            FileDescriptor.close(fd)
            fd = -1
            size = 0
            self.directory = directory
            self.name = name
            self.path = directory.path + "/" + name
        }
        self.maxSize = max(maxSize, 1)
        self.keep = keep
        self.timestamps = timestamps
    }
}
