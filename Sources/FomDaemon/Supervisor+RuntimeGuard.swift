import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// What the daemon keeps to notice its runtime directory removed under it (`rm -rf .fom`,
/// `git clean -xdf`, a tmp cleaner) and to rebuild it: without the socket and lock a second
/// daemon would start and run every instance twice.
struct RuntimeGuard {
    var watcher: DirectoryWatcher?
    /// The lock taken again after a rebuild (the first one is held by `fom daemon`).
    var lock: Int32 = -1
    /// When to try the rebuild again after it failed (the parent directory missing, say).
    var retryAt: Instant?
    static let retryInterval: Duration = .milliseconds(200)
    /// Quiet time after the last removal seen before the directory is made again.
    static let settleDelay: Duration = .milliseconds(100)
}

extension Supervisor {
    /// Watches the runtime directory for its own removal or the removal of what is in it.
    func watchRuntimeDirectory() {
        if let old = runtimeGuard.watcher {
            poll.remove(old.fd)
            runtimeGuard.watcher = nil
        }
        guard let watcher = try? DirectoryWatcher(options.runtime.path, removals: true) else { return }
        runtimeGuard.watcher = watcher
        poll.add(watcher.fd, token: Token.runtime.with(0))
    }

    /// Something in the directory was removed. The rebuild waits for a short quiet moment: made
    /// at once, it would race the `rm -rf` still under way (whose rmdir would then fail).
    func runtimeDirectoryChanged() {
        runtimeGuard.watcher?.drain()
        if !runtimeIsIntact { runtimeGuard.retryAt = now + RuntimeGuard.settleDelay }
    }

    /// The directory is where it was, and the socket and lock in it are still ours.
    var runtimeIsIntact: Bool {
        guard runtimeDirectory.isStillAtItsPath, runtimeDirectory.contains(RuntimeDirectory.socketName) else {
            return false
        }
        return runtimeGuard.lock < 0 || runtimeDirectory.holds(RuntimeDirectory.lockName, openAs: runtimeGuard.lock)
    }

    /// Makes the directory again with its lock, socket and state file, and moves the logs there
    /// when their directory went with it. Tried again shortly when it cannot be done yet.
    func rebuildRuntimeDirectory() {
        runtimeGuard.retryAt = nil
        guard !runtimeIsIntact else { return }
        do {
            let directory = try options.runtime.prepare()
            guard let lock = options.runtime.lock(in: directory) else {
                // Another daemon took the lock meanwhile: it refuses to run our instances (they
                // carry our marker and we are alive), so it exits soon; try again then.
                runtimeGuard.retryAt = now + RuntimeGuard.retryInterval
                return
            }
            FileDescriptor.close(runtimeGuard.lock)
            runtimeGuard.lock = lock
            runtimeDirectory = directory
            poll.remove(listenFD)
            FileDescriptor.close(listenFD)
            listenFD = try Sockets.listenUnix(path: options.runtime.socket, mode: 0o600)
            if !listenerPaused { poll.add(listenFD, token: Token.listener.with(0)) }
            let logs = try Directory.openTrusted(options.config.logs.dir, createMode: 0o755)
            if !events.directory.isStillAtItsPath {
                events.move(to: logs)
                for instance in instances {
                    instance.out.move(to: logs)
                    instance.err.move(to: logs)
                }
            }
            stateDirty = true
            watchRuntimeDirectory()
            log("fom", "the runtime directory \(options.runtime.path) was removed; made it again (socket, lock, state)")
        } catch {
            runtimeGuard.retryAt = now + RuntimeGuard.retryInterval
        }
    }
}
