/// How a process ended: a code, or the signal that killed it. A non-zero code is a result,
/// not an error.
public enum ExitStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
    /// A process adopted from a daemon that crashed is not this daemon's child: its end is seen
    /// (through a pidfd), its exit code cannot be.
    case unknown

    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let s): return "killed by signal \(s) (\(Signal(number: s)?.name ?? "SIG\(s)"))"
        case .unknown: return "ended, exit code unknown (adopted after a daemon crash, so not a child of this daemon)"
        }
    }
}

/// Why the last run of an instance ended, told truthfully: who stopped it, whether it took SIGKILL.
public struct ExitRecord: Sendable, Equatable {
    public var status: ExitStatus
    /// Set when fom ended the run: "user", "shutdown", "ready timeout", "restart", ...
    public var stoppedBy: String?
    public var neededKill: Bool

    public init(status: ExitStatus, stoppedBy: String? = nil, neededKill: Bool = false) {
        self.status = status
        self.stoppedBy = stoppedBy
        self.neededKill = neededKill
    }

    public var description: String {
        guard let by = stoppedBy else { return status.description }
        return "stopped by fom (\(by))" + (neededKill ? ", needed SIGKILL" : "") + ": \(status.description)"
    }
}
