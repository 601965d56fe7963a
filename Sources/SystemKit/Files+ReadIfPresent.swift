import Glibc

extension Files {
    /// Why a file that should be read cannot be: the path and the system's reason.
    public struct ReadFailure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a whole text file that may be absent: nil when nothing is at `path` (not even a
    /// dangling symbolic link), a `ReadFailure` for everything else that stops the read
    /// (permission denied, a directory, a symlink loop, a FIFO), so that "cannot read" is never
    /// taken for "missing". Opened without blocking: a FIFO must not hang the caller.
    public static func readTextIfPresent(_ path: String, limit: Int = 64 << 20) throws(ReadFailure) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            var st = stat()
            if code == ENOENT && lstat(path, &st) != 0 { return nil }
            if code == ENOENT { throw ReadFailure(path: path, reason: "a symbolic link to a file that does not exist") }
            throw ReadFailure(path: path, reason: String(cString: strerror(code)))
        }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ReadFailure(path: path, reason: String(cString: strerror(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG, S_IFCHR: break
        case S_IFDIR: throw ReadFailure(path: path, reason: "is a directory, not a file")
        default: throw ReadFailure(path: path, reason: "not a regular file")
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65536) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadFailure(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
