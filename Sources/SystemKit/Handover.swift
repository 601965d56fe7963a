import CSystem
import Glibc

/// The descriptor work of `fom upgrade` and of the descriptor holder: an anonymous file for the
/// handed state, close-on-exec flags, exec of a binary by path or by descriptor, and descriptors
/// passed over a unix socket (SCM_RIGHTS).
public enum Handover {
    /// An anonymous in-memory file holding `text`, open without close-on-exec.
    public static func anonymousFile(named name: String, holding text: String) throws(SystemError) -> Int32 {
        let fd = csys_memfd_create(name)
        if fd < 0 { throw SystemError("memfd_create") }
        do {
            try FileDescriptor.writeAll(fd, text)
        } catch {
            FileDescriptor.close(fd)
            throw error
        }
        return fd
    }

    /// The whole content of a file descriptor, read from offset 0 (pread: the offset stays put, so
    /// the same descriptor can be handed on and read again).
    public static func readWhole(_ fd: Int32, limit: Int = 256 << 20) throws(SystemError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < limit {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(out.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read handed state")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    /// Whether `fd` survives an exec.
    public static func setInherited(_ fd: Int32, _ inherited: Bool) {
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0 else { return }
        _ = fcntl(fd, F_SETFD, inherited ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC)
    }

    public static func isOpen(_ fd: Int32) -> Bool { fd >= 0 && fcntl(fd, F_GETFD) >= 0 }

    /// This process's own executable, opened so that it can be exec'd again through
    /// `/proc/self/fd/N` even after the file was replaced (the descriptor keeps the old inode).
    public static func openOwnExecutable() throws(SystemError) -> Int32 {
        let fd = open("/proc/self/exe", O_RDONLY)
        if fd < 0 { throw SystemError("open /proc/self/exe") }
        return fd
    }

    /// The path of this process's executable as it is now: when the file was replaced (renamed
    /// over), the kernel adds " (deleted)", and the path names the new file.
    public static func ownExecutablePath() -> String {
        let path = Files.executablePath()
        let suffix = " (deleted)"
        return path.hasSuffix(suffix) ? String(path.dropLast(suffix.count)) : path
    }

    /// Replaces the program of this process (same pid, same environment, the descriptors without
    /// close-on-exec stay open). Returns only on failure.
    public static func exec(_ path: String, arguments: [String]) -> SystemError {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv(path, &argv)
        let error = SystemError("cannot execute \(path)")
        for p in argv { free(p) }
        return error
    }

    /// Sends descriptors and a few bytes over a unix socket.
    public static func send(_ socket: Int32, fds: [Int32], data: [UInt8]) throws(SystemError) {
        let bytes = data.isEmpty ? [0] : data
        let n = fds.withUnsafeBufferPointer { f in
            bytes.withUnsafeBytes { csys_send_fds(socket, f.baseAddress, Int32(f.count), $0.baseAddress, $0.count) }
        }
        if n < 0 { throw SystemError("sendmsg") }
    }

    /// Receives bytes and up to 64 descriptors; an empty result means the peer closed.
    public static func receive(_ socket: Int32, maxBytes: Int = 65536) throws(SystemError) -> (
        data: [UInt8], fds: [Int32]
    ) {
        var fds = [Int32](repeating: -1, count: 64)
        var data = [UInt8](repeating: 0, count: maxBytes)
        var count: Int32 = 0
        let n = fds.withUnsafeMutableBufferPointer { f in
            data.withUnsafeMutableBytes { csys_recv_fds(socket, f.baseAddress, 64, &count, $0.baseAddress, $0.count) }
        }
        if n < 0 { throw SystemError("recvmsg") }
        return (Array(data[0..<n]), Array(fds[0..<Int(count)]))
    }
}

extension Handover {
    /// Blocking again (a descriptor accepted non-blocking that is then read one record per event).
    public static func setBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    }
}

extension Handover {
    /// How long ago a process started, from its start time in clock ticks since boot (/proc's
    /// field 22) and the time since boot (/proc/uptime); nil when unknown. For an adopted
    /// instance's uptime.
    public static func age(ofStartTicks ticks: UInt64) -> Int64? {
        guard let text = Files.readText("/proc/uptime"), let first = text.split(separator: " ").first,
            let uptime = Double(first)
        else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard hz > 0 else { return nil }
        let age = (uptime - Double(ticks) / hz) * 1e9
        return age > 0 ? Int64(age) : 0
    }
}
