import Glibc

/// An advisory lock on a lock file, for a read-modify-write of a file that several processes
/// change (`fom add`, `edit` and `remove` on supervisor.json). The kernel drops it when the
/// holder dies, so a killed command never leaves the file locked.
public enum FileLock {
    /// Runs `body` holding an exclusive `flock` on `path`, created with mode 0600 when missing;
    /// waits for another holder to finish.
    public static func withExclusive<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw SystemError("open \(path)") }
        defer { Glibc.close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw SystemError("flock \(path)") }
        }
        return try body()
    }
}
