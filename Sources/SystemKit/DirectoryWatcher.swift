import Glibc

/// inotify on one directory: wakes when a file in it is written, created or renamed into it
/// (or, with `removals`, when the directory or a file in it is deleted or moved away).
public final class DirectoryWatcher {
    public let fd: Int32

    public init(_ path: String, removals: Bool = false) throws(SystemError) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { throw SystemError("inotify_init1") }
        let mask =
            removals
            ? UInt32(IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
            : UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)
        if inotify_add_watch(fd, path, mask) < 0 {
            let e = SystemError("inotify_add_watch \(path)")
            Glibc.close(fd)
            throw e
        }
    }

    deinit { Glibc.close(fd) }

    /// For a caller that waits on several descriptors: readable when an event is pending.
    public var descriptor: Int32 { fd }

    /// Discards the pending events (the caller looks at the files itself).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while buffer.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, 65536) }) > 0 {}
    }

    /// Waits for at least one event (or the timeout) and drains them all.
    public func wait(timeoutMs: Int32) {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&pfd, 1, timeoutMs)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while buffer.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, 65536) }) > 0 {}
    }
}
