import Glibc

/// Whole-file reads and writes, directories and paths.
public enum Files {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isExecutable(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// Why a path cannot be run as a program (missing, a directory, not a regular file, no
    /// execute permission); nil when it can.
    public static func notExecutableReason(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return "does not exist" }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "is a directory" }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return "is not a regular file" }
        return access(path, X_OK) == 0 ? nil : "is not executable"
    }

    /// The permission bits of a file (following symlinks, as reading it does); nil when it is missing.
    public static func mode(_ path: String) -> UInt32? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt32(st.st_mode & 0o7777) : nil
    }

    /// Whether this process may read the file.
    public static func isReadable(_ path: String) -> Bool { access(path, R_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Reads a whole file; nil when it cannot be opened.
    public static func readBytes(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        // Most files read here are small (/proc/PID/stat, environ): a 64 KiB buffer cleared for
        // each of them made a pass over /proc cost more than the reads. It grows when one fills it.
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            if result.count >= 4096 && chunk.count < 65536 { chunk = [UInt8](repeating: 0, count: 65536) }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    public static func readText(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces a file the user named (an export, a unit file) as a whole: a temporary file of
    /// this process beside it (created exclusively, never through a symlink), fsync, rename.
    /// Files in fom's own runtime directory go through `Directory.writeAtomically` instead.
    public static func writeAtomically(_ path: String, _ text: String, mode: mode_t = 0o600) throws(SystemError) {
        let tmp = path + ".new-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open \(tmp)") }
        do {
            try FileDescriptor.writeAll(fd, text)
        } catch {
            Glibc.close(fd)
            unlink(tmp)
            throw error
        }
        if fsync(fd) != 0 {
            let e = SystemError("fsync \(tmp)")
            Glibc.close(fd)
            unlink(tmp)
            throw e
        }
        Glibc.close(fd)
        if rename(tmp, path) != 0 {
            let e = SystemError("rename \(tmp)")
            unlink(tmp)
            throw e
        }
        let dfd = open(dirname(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            Glibc.close(dfd)
        }
    }

    /// mkdir -p with the given mode for directories it creates.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("mkdir \(path)") }
    }

    public static func dirname(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// This program's own executable (to start the daemon from the same binary).
    public static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "/proc/self/exe" }
        buffer[n] = 0
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Lists a directory's entries (without . and ..).
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    public static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            // Split at the first `=` by bytes (a Character search costs a grapheme walk per entry).
            let length = strlen(entry)
            entry.withMemoryRebound(to: UInt8.self, capacity: length) { base in
                let line = UnsafeBufferPointer(start: base, count: length)
                if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: line[..<eq]), as: UTF8.self)
                    if result[key] == nil {
                        result[key] = String(decoding: UnsafeBufferPointer(rebasing: line[(eq + 1)...]), as: UTF8.self)
                    }
                }
            }
            pointer += 1
        }
        return result
    }
}
