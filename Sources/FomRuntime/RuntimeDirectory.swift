import FomCore
import SystemKit

/// `.fom/` beside supervisor.json (or `$FOM_HOME`): socket, state file, lock, daemon output.
///
/// Trust (DESIGN.md): created only when missing, its mode never changed when fom did not create
/// it, refused when another user owns it or others may write to it, and its files opened from
/// its descriptor without following symlinks.
public struct RuntimeDirectory: Sendable {
    public let path: String

    public init(configDirectory: String, environment: [String: String]) {
        if let home = environment["FOM_HOME"], !home.isEmpty {
            path = PosixPath.absolute(home, base: Files.currentDirectory())
        } else {
            path = configDirectory + "/.fom"
        }
    }

    public static let socketName = "fom.sock"
    public static let stateName = "state.json"
    public static let lockName = "daemon.lock"
    public static let stateLockName = "state.lock"
    public static let daemonOutputName = "daemon.out"

    public var socket: String { path + "/" + Self.socketName }
    public var stateFile: String { path + "/" + Self.stateName }
    /// Where a daemon started in the background writes its own stdout and stderr.
    public var daemonOutput: String { path + "/" + Self.daemonOutputName }

    /// A short key for this runtime directory, carried by every process fom starts from it
    /// (`FOM_TREE=KEY/NAME`), so that processes of an earlier run are found again.
    public var treeKey: String { Fingerprint.of(path) }

    public func treeMarker(for name: String) -> String { "FOM_TREE=\(treeKey)/\(name)" }

    /// Opens the directory, creating it with mode 0700 when it is missing; refuses one that
    /// another user owns or others may write to (`Directory.Untrusted`).
    @discardableResult
    public func prepare() throws -> Directory {
        try Directory.openTrusted(path, createMode: 0o700)
    }

    /// Opens the directory for reading; nil when it does not exist (nothing ran here yet) or
    /// cannot be trusted (what is in it is then not believed).
    public func openExisting() -> Directory? {
        guard Files.isDirectory(path) else { return nil }
        return try? Directory.openTrusted(path, createMode: nil)
    }

    /// Takes the daemon lock; nil when another daemon holds it. The descriptor stays open for the
    /// daemon's life: the kernel drops the lock when the daemon dies, even by kill -9. Never
    /// waited for: a daemon that lost a start-up race must not take over when the winner stops.
    public func lock(in directory: Directory) -> Int32? {
        guard let fd = try? directory.lock(Self.lockName, wait: false) else { return nil }
        FileDescriptor.replaceContents(fd, "\(ProcFS.ownPid)\n")
        return fd
    }

    /// Runs `body` holding the state file's own lock: a daemon reading the state at start and a
    /// CLI editing it with no daemon (`stop`) see each other's whole work. Held for milliseconds.
    public func withStateLock<T>(in directory: Directory, _ body: () throws -> T) throws -> T {
        guard let fd = try directory.lock(Self.stateLockName, wait: true) else {
            throw SystemError("flock \(path)/\(Self.stateLockName)")
        }
        defer { FileDescriptor.close(fd) }
        return try body()
    }

    /// The state file as it is now, for a reader: a missing, unreadable or senseless one reads as
    /// a first run (the daemon sets a senseless one aside; a reader only must not trust it).
    public func readState() -> StateStore {
        guard let directory = openExisting() else { return StateStore() }
        return StateStore.load(from: directory).store
    }

    /// The pid of the daemon that last took the lock, while that process lives.
    public func daemonPid() -> Int32? {
        guard let directory = openExisting(), let bytes = directory.readBytes(Self.lockName, limit: 64),
            let pid = Int32(String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? ""),
            pid > 0, ProcFS.isLive(pid)
        else { return nil }
        return pid
    }

    /// What the lock file says (the pid of the daemon that holds it), for messages.
    public func lockHolder() -> String {
        guard let directory = openExisting(), let bytes = directory.readBytes(Self.lockName, limit: 64),
            let first = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first, Int32(first) != nil
        else { return "?" }
        return String(first)
    }
}
