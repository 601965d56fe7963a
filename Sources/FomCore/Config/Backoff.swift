/// Delay between failed starts: doubles from `initial` up to `max`, so a crash loop slows down
/// quickly instead of burning the machine (supervisord's linear 1 s, 2 s, 3 s does not).
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var max: Duration

    public init(initial: Duration = .milliseconds(100), max: Duration = .seconds(30)) {
        self.initial = initial
        self.max = max
    }

    /// The wait before the next try after `failures` consecutive failed starts (1 = the first):
    /// `initial × 2^(failures-1)`, capped at `max`.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 1 else { return Swift.min(initial, max) }
        var delay = initial
        for _ in 1..<Swift.min(failures, 64) {
            delay *= 2
            if delay >= max { return max }
        }
        return delay
    }
}
