import FomCore
import Glibc
import SystemKit

/// One captured stream (`NAME.out.log`): whole lines only, size rotation that never splits a
/// line, optional timestamps. A write error is counted and the data dropped: a full disk must
/// neither kill the daemon nor block the child.
public final class LogFile {
    public let path: String
    let maxSize: Int
    let keep: Int
    let timestamps: Bool
    private var fd: Int32 = -1
    private var size = 0
    /// The tail of the last read that did not end in a newline yet.
    private var partial: [UInt8] = []
    public private(set) var errors = 0
    public private(set) var lastError: String?
    /// A line longer than this is written in pieces rather than held forever.
    static let maxPartial = 1 << 20

    public init(path: String, maxSize: Int, keep: Int, timestamps: Bool) {
        self.path = path
        self.maxSize = max(maxSize, 1)
        self.keep = keep
        self.timestamps = timestamps
    }

    deinit { FileDescriptor.close(fd) }

    /// Appends bytes read from a pipe; complete lines are written now, the rest waits.
    public func append(_ bytes: ArraySlice<UInt8>) {
        guard let lastNewline = bytes.lastIndex(of: 10) else {
            partial.append(contentsOf: bytes)
            if partial.count >= Self.maxPartial { flushPartial() }
            return
        }
        var chunk = partial
        partial = Array(bytes[(lastNewline + 1)...])
        chunk.append(contentsOf: bytes[...lastNewline])
        writeLines(chunk)
    }

    /// Writes what is left without a newline (the process ended mid-line).
    public func flushPartial() {
        guard !partial.isEmpty else { return }
        var chunk = partial
        partial = []
        chunk.append(10)
        writeLines(chunk)
    }

    /// Writes one of fom's own lines.
    public func appendLine(_ text: String) {
        writeLines(Array((text + "\n").utf8))
    }

    private func writeLines(_ chunk: [UInt8]) {
        var data = chunk
        if timestamps {
            let prefix = Array((Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " ").utf8)
            data = []
            data.reserveCapacity(chunk.count + 32)
            var start = 0
            for i in chunk.indices where chunk[i] == 10 {
                data.append(contentsOf: prefix)
                data.append(contentsOf: chunk[start...i])
                start = i + 1
            }
        }
        // Split at line ends so that each file stays within maxSize where lines allow it.
        var offset = 0
        while offset < data.count {
            guard ensureOpen() else { return }
            let room = maxSize - size
            var end = data.count
            if data.count - offset > room {
                // The last newline that fits; a file with nothing in it takes one line whatever its size.
                var cut = -1
                var i = min(offset + room, data.count) - 1
                while i >= offset {
                    if data[i] == 10 { cut = i + 1; break }
                    i -= 1
                }
                if cut > offset {
                    end = cut
                } else if size > 0 {
                    rotate()
                    continue
                } else if let nl = data[offset...].firstIndex(of: 10) {
                    end = nl + 1
                }
            }
            write(data[offset..<end])
            offset = end
            if size >= maxSize { rotate() }
        }
    }

    private func write(_ slice: ArraySlice<UInt8>) {
        var remaining = slice
        while !remaining.isEmpty {
            let n = remaining.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                errors += 1
                lastError = SystemError("write \(path)").description
                return
            }
            size += n
            remaining = remaining.dropFirst(n)
        }
    }

    private func ensureOpen() -> Bool {
        if fd >= 0 { return true }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd < 0 {
            errors += 1
            lastError = SystemError("open \(path)").description
            return false
        }
        size = Files.size(path) ?? 0
        return true
    }

    /// NAME.log -> NAME.log.1 -> ... -> NAME.log.KEEP (dropped beyond).
    public func rotate() {
        FileDescriptor.close(fd)
        fd = -1
        if keep <= 0 {
            truncate(path, 0)
        } else {
            unlink("\(path).\(keep)")
            var i = keep - 1
            while i >= 1 {
                rename("\(path).\(i)", "\(path).\(i + 1)")
                i -= 1
            }
            rename(path, "\(path).1")
        }
        size = 0
    }

    /// `fom flush`: empties the current file and drops the archives.
    public func flush() {
        FileDescriptor.close(fd)
        fd = -1
        truncate(path, 0)
        for i in 1...max(keep, 1) { unlink("\(path).\(i)") }
        size = 0
    }
}
