import CSystem
import Glibc

/// Unix and TCP sockets, non-blocking where the event loop owns them.
public enum Sockets {
    /// Listens on a Unix socket path with the given mode (the directory's mode guards it too).
    public static func listenUnix(path: String, mode: mode_t = 0o600) throws(SystemError) -> Int32 {
        unlink(path)
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SystemError("socket") }
        var addr = try unixAddress(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc != 0 {
            let e = SystemError("bind \(path)")
            Glibc.close(fd)
            throw e
        }
        chmod(path, mode)
        if listen(fd, 128) != 0 {
            let e = SystemError("listen \(path)")
            Glibc.close(fd)
            throw e
        }
        return fd
    }

    /// Connects to a Unix socket within `timeoutMs`; nil when nobody listens there or it did not
    /// accept in time.
    public static func connectUnix(path: String, timeoutMs: Int32) -> Int32? {
        if case .connected(let fd) = connectUnixReporting(path: path, timeoutMs: timeoutMs) { return fd }
        return nil
    }

    public enum UnixConnection {
        /// A non-blocking descriptor.
        case connected(Int32)
        /// Nobody listens there (no socket file, or a stale one).
        case absent
        /// Something is there but may not be reached (EACCES: another user's daemon).
        case refused(SystemError)
        /// Someone listens but its queue of connections stayed full until the deadline (a
        /// listener that stopped accepting: a stopped or stuck process).
        case timedOut
    }

    /// Connects to a Unix socket, telling "nobody there" from "not allowed" and from "not
    /// accepting". Non-blocking: a blocking connect waits without end while the listener's
    /// backlog is full, and Linux answers a non-blocking one with EAGAIN then, tried again here
    /// until `timeoutMs` passed.
    public static func connectUnixReporting(path: String, timeoutMs: Int32) -> UnixConnection {
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { return .refused(SystemError("socket")) }
        guard var addr = try? unixAddress(path) else {
            Glibc.close(fd)
            return .absent
        }
        let deadline = Clock.monotonicNanoseconds() + Int64(max(timeoutMs, 0)) * 1_000_000
        while true {
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if rc == 0 { return .connected(fd) }
            let error = SystemError("connect \(path)")
            if error.errno == EINTR { continue }
            if error.errno == EAGAIN {
                let left = deadline - Clock.monotonicNanoseconds()
                if left > 0 {
                    usleep(UInt32(min(left / 1000, 10_000)))
                    continue
                }
                Glibc.close(fd)
                return .timedOut
            }
            Glibc.close(fd)
            return error.errno == EACCES || error.errno == EPERM ? .refused(error) : .absent
        }
    }

    public enum SendResult { case sent(Int), wouldBlock, failed }

    /// One non-blocking send without SIGPIPE.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> SendResult {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            if n >= 0 { return .sent(n) }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed
        }
    }

    /// Waits until `fd` has something to read (or its peer hung up); false when `timeoutMs`
    /// passed first. A negative timeout waits for ever.
    public static func waitReadable(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&entry, 1, timeoutMs)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { return true }
        }
    }

    /// Waits until `fd` can take more bytes (or its peer hung up); false when `timeoutMs` passed.
    public static func waitWritable(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let rc = poll(&entry, 1, timeoutMs)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { return true }
        }
    }

    public enum Accepted { case accepted(Int32), none, failed(Int32) }

    /// Accepts one pending connection as a non-blocking descriptor.
    public static func accept(_ listener: Int32) -> Accepted {
        while true {
            let fd = csys_accept4(listener)
            if fd >= 0 { return .accepted(fd) }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return .none
            default: return .failed(errno)
            }
        }
    }

    /// The uid and pid of the process at the other end (SO_PEERCRED).
    public static func peer(_ fd: Int32) -> (uid: UInt32, pid: Int32)? {
        var uid: uid_t = 0
        var pid: pid_t = 0
        return csys_peer_uid(fd, &uid, &pid) == 0 ? (uid, pid) : nil
    }

    /// Starts a non-blocking TCP connect to an IPv4 address; the caller waits for writability
    /// and then asks `connectResult`.
    public static func startConnect(host: String, port: Int) -> Int32? {
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { return nil }
        var addr = ipv4Address(host: host, port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 && errno != EINPROGRESS {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// 0 when a started connect succeeded, else its errno.
    public static func connectResult(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return errno }
        return err
    }

    /// Whether something already listens on host:port: we try to bind it ourselves (with
    /// SO_REUSEADDR, as servers do, so TIME_WAIT does not count).
    public static func isPortInUse(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return false }
        defer { Glibc.close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = ipv4Address(host: host, port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc != 0 && errno == EADDRINUSE
    }

    private static func unixAddress(_ path: String) throws(SystemError) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        if bytes.count >= capacity {
            throw SystemError("socket path too long (\(bytes.count) bytes): \(path)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return addr
    }

    private static func ipv4Address(host: String, port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        let target = (host == "localhost" || host.isEmpty) ? "127.0.0.1" : host
        if inet_pton(AF_INET, target, &addr.sin_addr) != 1 {
            inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        }
        return addr
    }
}
