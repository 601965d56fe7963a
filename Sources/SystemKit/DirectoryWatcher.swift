import CSystem
import Glibc

/// inotify on one directory: wakes when a file in it is written, created or renamed into it.
public final class DirectoryWatcher {
    let fd: Int32

    public init(_ path: String) throws(SystemError) {
        fd = csys_inotify_init()
        if fd < 0 { throw SystemError("inotify_init1") }
        let mask = csys_in_modify() | csys_in_create() | csys_in_moved_to() | csys_in_close_write()
        if csys_inotify_add_watch(fd, path, mask) < 0 {
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
