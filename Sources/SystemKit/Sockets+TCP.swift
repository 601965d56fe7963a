import CSystem
import Glibc

extension Sockets {
    /// Listens on an IPv4 address and port (0: one the kernel picks), non-blocking.
    public static func listenTCP(host: String, port: Int) throws(SystemError) -> Int32 {
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            Glibc.close(fd)
            throw SystemError("\(host) is not an IPv4 address", errno: EINVAL)
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let e = SystemError("bind \(host):\(port)")
            Glibc.close(fd)
            throw e
        }
        if listen(fd, 128) != 0 {
            let e = SystemError("listen \(host):\(port)")
            Glibc.close(fd)
            throw e
        }
        return fd
    }

    /// The port a bound socket has (after binding port 0).
    public static func localPort(_ fd: Int32) -> Int? {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return rc == 0 ? Int(UInt16(bigEndian: addr.sin_port)) : nil
    }

    /// Sends what the socket takes now, never raising SIGPIPE: the count sent, 0 when it would
    /// block, nil when the peer is gone.
    public static func sendSome(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Int? {
        while true {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            return nil
        }
    }
}

/// Random bytes from the kernel (/dev/urandom), for tokens.
public enum RandomBytes {
    public static func hex(count: Int) throws(SystemError) -> String {
        let fd = Glibc.open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open /dev/urandom") }
        defer { Glibc.close(fd) }
        guard let bytes = try FileDescriptor.read(fd, max: count), bytes.count == count else {
            throw SystemError("read /dev/urandom")
        }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
