import CSystem
import Glibc

/// inotify on one directory: wakes when a file in it is written, created or renamed into it
/// (or, with `removals`, when the directory or a file in it is deleted or moved away).
public final class DirectoryWatcher {
    public let fd: Int32

    public init(_ path: String, removals: Bool = false) throws(SystemError) {
        fd = csys_inotify_init()
        if fd < 0 { throw SystemError("inotify_init1") }
        let mask =
            removals
            ? csys_in_delete() | csys_in_delete_self() | csys_in_move_self() | csys_in_moved_from()
            : csys_in_modify() | csys_in_create() | csys_in_moved_to() | csys_in_close_write()
        if csys_inotify_add_watch(fd, path, mask) < 0 {
            let e = SystemError("inotify_add_watch \(path)")
            Glibc.close(fd)
            throw e
        }
    }

    deinit { Glibc.close(fd) }

    /// Reads and forgets every pending event (the descriptor is non-blocking).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, 4096) }) > 0 {}
    }

    /// Waits for at least one event (or the timeout) and drains them all.
    public func wait(timeoutMs: Int32) {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&pfd, 1, timeoutMs)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while buffer.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, 65536) }) > 0 {}
    }
}
