import Glibc

/// A directory fom keeps its files in (the runtime directory, a log directory), held open by
/// descriptor: every file in it is opened with `openat` from that descriptor and without
/// following symlinks, so a link planted in it, or a directory swapped under its path, cannot
/// send a write elsewhere. The descriptor is owned: closed once, when the last reference goes.
public final class Directory: @unchecked Sendable {
    public let path: String
    public let fd: Int32

    /// A directory another user owns, or that others may write to, is refused: its files could be
    /// swapped for links or planted by someone else.
    public struct Untrusted: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { _ = Glibc.close(fd) }

    /// Opens `path`, creating it (and missing parents) with `mode` only when it is missing; an
    /// existing directory's mode is never changed. Refuses one that is a symlink, is owned by
    /// another user, or is writable by group or others.
    public static func openTrusted(_ path: String, createMode: mode_t? = 0o700) throws -> Directory {
        if let createMode, !Files.isDirectory(path) {
            try Files.makeDirectories(Files.dirname(of: path), mode: 0o755)
            if mkdir(path, createMode) != 0 && errno != EEXIST { throw SystemError("mkdir \(path)") }
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ELOOP || errno == ENOTDIR {
                throw Untrusted(
                    description:
                        "\(path): is a symlink or not a directory; fom keeps its files only in a real directory")
            }
            throw SystemError("open \(path)")
        }
        let directory = Directory(path: path, fd: fd)
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("fstat \(path)") }
        if st.st_uid != geteuid() {
            throw Untrusted(
                description:
                    "\(path): owned by uid \(st.st_uid), not by this user (uid \(geteuid())); fom does not use a directory another user controls"
            )
        }
        if st.st_mode & 0o022 != 0 {
            let mode = String(st.st_mode & 0o777, radix: 8)
            throw Untrusted(
                description:
                    "\(path): writable by others (mode \(mode)); fom does not use it (chmod go-w, or choose another directory)"
            )
        }
        return directory
    }

    /// Whether `path` still names this directory (not removed, not replaced by another).
    public var isStillAtItsPath: Bool {
        var mine = stat()
        var there = stat()
        guard fstat(fd, &mine) == 0, lstat(path, &there) == 0 else { return false }
        return mine.st_dev == there.st_dev && mine.st_ino == there.st_ino && mine.st_nlink > 0
    }

    /// Whether `name` in this directory is the file open as `file` (not removed or replaced).
    public func holds(_ name: String, openAs file: Int32) -> Bool {
        var mine = stat()
        var there = stat()
        guard fstat(file, &mine) == 0, fstatat(fd, name, &there, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        return mine.st_dev == there.st_dev && mine.st_ino == there.st_ino
    }

    /// Whether `name` exists in this directory (a socket, say), not following links.
    public func contains(_ name: String) -> Bool {
        var there = stat()
        return fstatat(fd, name, &there, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Opens `name` in this directory, never through a symlink. -1 and errno on failure.
    public func openFile(_ name: String, _ flags: Int32, mode: mode_t = 0o600) -> Int32 {
        openat(fd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
    }

    /// Opens (creating) `name` for appending, as log files are written. -1 on failure.
    public func openForAppend(_ name: String, mode: mode_t = 0o640) -> Int32 {
        openFile(name, O_WRONLY | O_CREAT | O_APPEND, mode: mode)
    }

    /// Reads a whole file of this directory; nil when missing or unreadable (errno says why).
    public func readBytes(_ name: String, limit: Int = 64 << 20) -> [UInt8]? {
        let file = openFile(name, O_RDONLY)
        if file < 0 { return nil }
        defer { _ = Glibc.close(file) }
        return FileDescriptor.readToEnd(file, limit: limit)
    }

    /// Writes a file atomically: `NAME.new` (never through a link), fsync, rename, fsync of the
    /// directory.
    public func writeAtomically(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(SystemError) {
        let tmp = name + ".new"
        // A leftover `.new` (a crash mid-write, or something planted) is replaced, not followed.
        _ = unlinkat(fd, tmp, 0)
        let file = openFile(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        if file < 0 { throw SystemError("open \(path)/\(tmp)") }
        do {
            try FileDescriptor.writeAll(file, bytes)
        } catch {
            _ = Glibc.close(file)
            throw error
        }
        if fsync(file) != 0 {
            let e = SystemError("fsync \(path)/\(tmp)")
            _ = Glibc.close(file)
            throw e
        }
        _ = Glibc.close(file)
        if renameat(fd, tmp, fd, name) != 0 { throw SystemError("rename \(path)/\(tmp)") }
        _ = fsync(fd)
    }

    /// Opens (creating) `name` and takes an exclusive `flock` on it; the lock lives as long as
    /// the returned descriptor. nil when another process holds it and `wait` is false.
    public func lock(_ name: String, wait: Bool) throws(SystemError) -> Int32? {
        let file = openFile(name, O_RDWR | O_CREAT)
        if file < 0 { throw SystemError("open \(path)/\(name)") }
        while flock(file, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let error = SystemError("flock \(path)/\(name)")
            _ = Glibc.close(file)
            if error.errno == EWOULDBLOCK { return nil }
            throw error
        }
        return file
    }

    public func rename(_ from: String, to: String) -> Bool { renameat(fd, from, fd, to) == 0 }

    public func remove(_ name: String) { _ = unlinkat(fd, name, 0) }

    /// Empties a file of this directory (not through a link).
    public func truncate(_ name: String) {
        let file = openFile(name, O_WRONLY)
        if file >= 0 {
            _ = ftruncate(file, 0)
            _ = Glibc.close(file)
        }
    }
}
