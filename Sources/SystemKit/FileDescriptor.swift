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
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
            if n >= 0 {
                buffer.removeLast(max - n)
                return buffer
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SystemError("read")
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

    public static func writeAll(_ fd: Int32, _ text: String) throws(SystemError) {
        try writeAll(fd, Array(text.utf8))
    }
}
