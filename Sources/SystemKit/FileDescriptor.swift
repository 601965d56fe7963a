import CSystem
import Glibc

/// Small helpers on raw descriptors. Ownership is explicit at each call site: whoever opened
/// a descriptor closes it exactly once through `close`.
public enum FileDescriptor {
    public static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Asks for a pipe buffer of `bytes` (F_SETPIPE_SZ); the kernel may give less or refuse.
    public static func setPipeSize(_ fd: Int32, _ bytes: Int32) {
        _ = csys_set_pipe_size(fd, bytes)
    }

    /// The offset of the last `byte` in `bytes` (memrchr), or nil.
    public static func lastIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count > 0,
            let hit = csys_memrchr(base, Int32(byte), bytes.count)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Reads up to `max` bytes. nil on EAGAIN; an empty array at end of file.
    public static func read(_ fd: Int32, max: Int) throws(SystemError) -> [UInt8]? {
        // Not cleared first: the CLI reads answers with a 1 MiB maximum, and clearing that much
        // cost every `fom list` 256 page faults and a million instructions.
        while true {
            var failure: Int32 = 0
            let buffer = [UInt8](unsafeUninitializedCapacity: max) { storage, count in
                let n = Glibc.read(fd, storage.baseAddress, max)
                count = n > 0 ? n : 0
                if n < 0 { failure = errno }
            }
            if failure == 0 { return buffer }
            if failure == EINTR { continue }
            if failure == EAGAIN || failure == EWOULDBLOCK { return nil }
            throw SystemError("read", errno: failure)
        }
    }

    /// Reads a blocking descriptor to its end (at most `limit` bytes); nil on an error.
    public static func readToEnd(_ fd: Int32, limit: Int = 64 << 20) -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes {
                Glibc.read(fd, $0.baseAddress, Swift.min(65536, limit - result.count))
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    public enum ReadResult { case data(Int), wouldBlock, endOfFile, failed }

    /// One read into `buffer` (the daemon's shared pipe buffer: no copy, no allocation).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .data(n) }
            if n == 0 { return .endOfFile }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed
        }
    }

    /// Writes everything to a blocking descriptor (files).
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            offset += n
        }
    }

    /// Writes all of `bytes` to a blocking descriptor; returns the count. A short write is
    /// continued; an error ends it (the caller decides what to do with a partial write).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            offset += n
        }
        return offset
    }

    /// The size of an open file.
    public static func size(_ fd: Int32) -> Int? {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : nil
    }

    /// The inode number and size of an open file.
    public static func identity(_ fd: Int32) -> (inode: Int64, size: Int)? {
        var st = stat()
        return fstat(fd, &st) == 0 ? (Int64(bitPattern: UInt64(st.st_ino)), Int(st.st_size)) : nil
    }

    /// Where `byte` first occurs in `bytes[from...]` (memchr).
    public static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), bytes.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Replaces what an open file holds with `text` (the pid in a lock file).
    public static func replaceContents(_ fd: Int32, _ text: String) {
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.utf8.count, 0)
    }

    /// Cuts an open file back to `size` bytes (takes back a write the disk cut short).
    public static func truncate(_ fd: Int32, to size: Int) {
        _ = ftruncate(fd, off_t(size))
    }

    public static func writeAll(_ fd: Int32, _ text: String) throws(SystemError) {
        try writeAll(fd, Array(text.utf8))
    }
}
