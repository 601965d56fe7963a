/// When and how fast an instance comes back: the restart mode plus the crash-loop budget.
public struct RestartRules: Sendable, Equatable {
    public var mode: RestartPolicy
    public var maxRestarts: Int
    public var minUptime: Duration
    public var backoff: Backoff

    public init(
        mode: RestartPolicy = .always, maxRestarts: Int = 10, minUptime: Duration = .seconds(5),
        backoff: Backoff = Backoff()
    ) {
        self.mode = mode
        self.maxRestarts = maxRestarts
        self.minUptime = minUptime
        self.backoff = backoff
    }

    public init(_ config: InstanceConfig) {
        self.init(
            mode: config.restart, maxRestarts: config.maxRestarts, minUptime: config.minUptime,
            backoff: config.backoff)
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
    public func delay(afterFailures n: Int) -> Duration { backoff.delay(afterFailures: n) }
}
