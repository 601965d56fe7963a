import FomCore
import SystemKit

/// One captured stream (`NAME.out.log`): whole lines only, size rotation that never splits a
/// line, optional timestamps. A write error is counted and the data dropped: a full disk must
/// neither kill the daemon nor block the child. A write that the disk cut short is taken back,
/// so that a full disk drops whole lines and never leaves half of one for the next to join.
/// The file is opened from its directory's descriptor, never through a symlink.
public final class LogFile {
    public private(set) var path: String
    private(set) var directory: Directory
    private(set) var name: String
    private(set) var maxSize: Int
    private(set) var keep: Int
    private(set) var timestamps: Bool
    private var fd: Int32 = -1
    private var size = 0
    /// The tail of the last read that did not end in a newline yet.
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

    /// Appends bytes read from a pipe; complete lines are written now, the rest waits.
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
        var chunk = partial
        partial = []
        chunk.append(10)
        chunk.withUnsafeBytes { writeLines($0) }
    }

    /// Writes one of fom's own lines.
    public func appendLine(_ text: String) {
        Array((text + "\n").utf8).withUnsafeBytes { writeLines($0) }
    }

    static func lastNewline(in bytes: UnsafeRawBufferPointer) -> Int? {
        FileDescriptor.lastIndex(of: 10, in: bytes)
    }

    private func writeLines(_ chunk: UnsafeRawBufferPointer) {
        guard timestamps else { return writeWithinMaxSize(chunk) }
        let prefix = Array((Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " ").utf8)
        var data: [UInt8] = []
        data.reserveCapacity(chunk.count + chunk.count / 8 + 32)
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 10 {
            data.append(contentsOf: prefix)
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...i]))
            start = i + 1
        }
        data.withUnsafeBytes { writeWithinMaxSize($0) }
    }

    /// Splits at line ends so that each file stays within maxSize where lines allow it.
    private func writeWithinMaxSize(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            guard ensureOpen() else { return }
            let room = maxSize - size
            var end = data.count
            if data.count - offset > room {
                // The last newline that fits; a file with nothing in it takes one line whatever its size.
                let window = UnsafeRawBufferPointer(
                    rebasing: data[offset..<max(offset, min(offset + room, data.count))])
                if let cut = Self.lastNewline(in: window) {
                    end = offset + cut + 1
                } else if size > 0 {
                    rotate()
                    continue
                } else if let nl = data[offset...].firstIndex(of: 10) {
                    end = nl + 1
                }
            }
            write(UnsafeRawBufferPointer(rebasing: data[offset..<end]))
            offset = end
            if size >= maxSize { rotate() }
        }
    }

    /// Writes one piece made of whole lines, or none of it: a short write followed by an error
    /// (a full disk) is truncated away, so the file still ends at a line end.
    private func write(_ bytes: UnsafeRawBufferPointer) {
        let before = size
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
    }

    private func ensureOpen() -> Bool {
        if fd >= 0 { return true }
        fd = directory.openForAppend(name)
        if fd < 0 {
            errors += 1
            lastError = SystemError("open \(path)").description
            return false
        }
        size = FileDescriptor.size(fd) ?? 0
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
