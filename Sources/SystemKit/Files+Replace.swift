import Glibc

extension Files {
    /// Replaces a file the user owns (supervisor.json) atomically: a temporary file in the same
    /// directory with the file's mode (and owner, where allowed), fsync, rename over it, fsync of
    /// the directory. A reader sees the old text or the new, never a mix. A symlink is followed,
    /// so the file it points to is replaced and the link stays.
    public static func replaceContents(of path: String, with text: String) throws(SystemError) {
        let target = realPath(path) ?? path
        var st = stat()
        if stat(target, &st) != 0 { throw SystemError("stat \(target)") }
        let directory = dirname(of: target)
        let base = target[target.index(after: target.lastIndex(of: "/") ?? target.startIndex)...]
        let temporary = "\(directory)/.\(base).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw SystemError("open \(temporary)") }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do throws(SystemError) {
            // The mode is set after open, which the umask would otherwise cut down.
            if fchmod(fd, st.st_mode & 0o7777) != 0 { throw SystemError("chmod \(temporary)") }
            if st.st_uid != geteuid() || st.st_gid != getegid() { _ = fchown(fd, st.st_uid, st.st_gid) }
            try FileDescriptor.writeAll(fd, text)
            if fsync(fd) != 0 { throw SystemError("fsync \(temporary)") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        Glibc.close(fd)
        if rename(temporary, target) != 0 { throw SystemError("rename \(temporary) to \(target)") }
        renamed = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            Glibc.close(dfd)
        }
    }

    /// The absolute path with every symlink resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Deletes a file (not a directory); false when there was none or it could not be deleted.
    @discardableResult
    public static func removeFile(_ path: String) -> Bool {
        unlink(path) == 0
    }
}
