import Glibc

/// Unix SOCK_SEQPACKET sockets: each send is one record, so a record and the descriptors that
/// ride with it (SCM_RIGHTS, see `Handover.send`) arrive together. Used by the descriptor holder.
public enum PacketSockets {
    public static func listen(path: String, mode: mode_t = 0o600) throws(SystemError) -> Int32 {
        unlink(path)
        let fd = socket(
            AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SystemError("socket") }
        // Created with the mode already: nobody else may connect in the moment before chmod.
        let old = umask(0o077)
        let rc = withAddress(path) { bind(fd, $0, $1) }
        umask(old)
        if rc != 0 {
            let e = SystemError("bind \(path)")
            Glibc.close(fd)
            throw e
        }
        chmod(path, mode)
        if Glibc.listen(fd, 16) != 0 {
            let e = SystemError("listen \(path)")
            Glibc.close(fd)
            throw e
        }
        return fd
    }

    /// Connects (blocking); nil when nobody listens there.
    public static func connect(path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return nil }
        let rc = withAddress(path) { Glibc.connect(fd, $0, $1) }
        if rc != 0 {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// A blocking receive gives up after this long (a holder that does not answer).
    public static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
