/// When and how fast an instance comes back: the crash-loop budget of DESIGN.md.
public struct RestartPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case always
        case onFailure = "on-failure"
        case never
    }

    public var mode: Mode
    public var maxRestarts: Int
    public var minUptime: Duration
    public var backoffInitial: Duration
    public var backoffMax: Duration

    public init(mode: Mode = .always, maxRestarts: Int = 10, minUptime: Duration = .seconds(5),
                backoffInitial: Duration = .milliseconds(100), backoffMax: Duration = .seconds(30)) {
        self.mode = mode
        self.maxRestarts = maxRestarts
        self.minUptime = minUptime
        self.backoffInitial = backoffInitial
        self.backoffMax = backoffMax
    }

    /// Whether the policy restarts after this exit at all.
    public func restarts(after status: ExitStatus) -> Bool {
        switch mode {
        case .always: return true
        case .onFailure: return !status.isSuccess
        case .never: return false
        }
    }

    /// The wait before try n+1 after n consecutive failed starts: initial × 2^(n-1), capped.
    public func delay(afterFailures n: Int) -> Duration {
        var delay = backoffInitial
        var i = 1
        while i < n && delay < backoffMax {
            delay = delay * 2
            i += 1
        }
        return min(delay, backoffMax)
    }
}
