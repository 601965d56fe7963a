import CSystem
import Glibc

/// Signals as descriptors: the handled ones are blocked in `main` before any thread exists and
/// read from a signalfd by the event loop, so no early signal is lost and no handler runs.
public enum Signals {
    public static func blockAndOpen(_ signals: [Int32]) throws(SystemError) -> Int32 {
        var mask = sigset_t()
        sigemptyset(&mask)
        for s in signals { sigaddset(&mask, s) }
        guard pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 else { throw SystemError("sigprocmask") }
        let fd = csys_signalfd(&mask)
        guard fd >= 0 else { throw SystemError("signalfd") }
        return fd
    }

    /// The next pending signal, or nil when none is.
    public static func next(from fd: Int32) -> Int32? {
        let s = csys_signalfd_read(fd)
        return s > 0 ? s : nil
    }

    public static func ignore(_ signal: Int32) { Glibc.signal(signal, SIG_IGN) }

    /// Sends a signal to a process group; false when none is left.
    @discardableResult
    public static func sendToGroup(_ pgid: Int32, _ signal: Int32) -> Bool { kill(-pgid, signal) == 0 }

    @discardableResult
    public static func send(_ pid: Int32, _ signal: Int32) -> Bool { kill(pid, signal) == 0 }
    /// Dies at once, as `kill -9` from outside would kill this process (a test's crash point).
    public static func killSelf() -> Never {
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not end the process")
    }

    public static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Reaps one exited child without blocking: (pid, status), or nil when none is ready.
    public static func reapAny() -> (pid: Int32, status: TerminationStatus)? {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, WNOHANG)
        if pid <= 0 { return nil }
        return (pid, TerminationStatus(waitStatus: status))
    }

    /// Orphaned descendants come back to this process instead of init.
    public static func becomeSubreaper() -> Bool { csys_set_child_subreaper() == 0 }

    /// A descriptor that becomes readable when the process exits (also for non-children).
    public static func openPidfd(_ pid: Int32) -> Int32? {
        let fd = csys_pidfd_open(pid)
        return fd >= 0 ? fd : nil
    }
}
