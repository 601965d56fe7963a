import Glibc

extension Spawn {
    /// Waits for one child to end (it closed its output, so this is short) and decodes how.
    public static func waitFor(_ pid: Int32) -> TerminationStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return TerminationStatus(waitStatus: status)
    }
}
