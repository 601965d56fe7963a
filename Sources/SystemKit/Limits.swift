import Glibc

/// Resource limits of this process.
public enum Limits {
    /// Raises the soft limit of open descriptors to the hard limit. Children inherit the higher
    /// limit, which servers such as mongod want anyway (it warns below 64000).
    public static func raiseOpenFilesToHardLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The soft limit of open descriptors.
    public static func openFiles() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(min(limit.rlim_cur, 1 << 30))
    }

    /// Opens /dev/null on any of descriptors 0, 1, 2 that is closed, so that no descriptor this
    /// process opens later lands there and receives what is meant for stdout or stderr.
    public static func ensureStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 {
            let opened = open("/dev/null", O_RDWR)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}
