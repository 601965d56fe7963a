import FomCore
import Glibc
import SystemKit

/// `.fom/` beside supervisor.json (or `$FOM_HOME`): socket, state file, lock, daemon output.
public struct RuntimeDirectory: Sendable {
    public let path: String

    public init(configDirectory: String, environment: [String: String]) {
        if let home = environment["FOM_HOME"], !home.isEmpty {
            path = PosixPath.absolute(home, base: Files.currentDirectory())
        } else {
            path = configDirectory + "/.fom"
        }
    }

    public var socket: String { path + "/fom.sock" }
    public var stateFile: String { path + "/state.json" }
    public var lockFile: String { path + "/daemon.lock" }
    /// Where a daemon started in the background writes its own stdout and stderr.
    public var daemonOutput: String { path + "/daemon.out" }

    /// A short key for this runtime directory, carried by every process fom starts from it
    /// (`FOM_TREE=KEY/NAME`), so that processes of an earlier run are found again.
    public var treeKey: String { Fingerprint.of(path) }

    public func treeMarker(for name: String) -> String { "FOM_TREE=\(treeKey)/\(name)" }

    /// Creates the directory with mode 0700 (and tightens an existing one).
    public func prepare() throws(SystemError) {
        try Files.makeDirectories(path, mode: 0o700)
        chmod(path, 0o700)
    }

    /// Takes the daemon lock; nil when another daemon holds it. The descriptor stays open for the
    /// daemon's life: the kernel drops the lock when the daemon dies, even by kill -9. Never
    /// waited for: a daemon that lost a start-up race must not take over when the winner stops.
    public func lock() -> Int32? {
        let fd = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            return nil
        }
        ftruncate(fd, 0)
        try? FileDescriptor.writeAll(fd, "\(getpid())\n")
        return fd
    }

    public var stateLockFile: String { path + "/state.lock" }

    /// Runs `body` holding the state file's own lock: a daemon reading the state at start and a
    /// CLI editing it with no daemon (`stop`) see each other's whole work. Held for milliseconds.
    public func withStateLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(stateLockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw SystemError("open \(stateLockFile)") }
        defer { Glibc.close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw SystemError("flock \(stateLockFile)") }
        }
        return try body()
    }

    /// The pid of the daemon that last took the lock, while that process lives.
    public func daemonPid() -> Int32? {
        guard let text = Files.readText(lockFile), let pid = Int32(text.split(separator: "\n").first ?? ""),
            pid > 0, ProcFS.isLive(pid)
        else { return nil }
        return pid
    }

}
