/// The ranges every number in supervisor.json must fall in: wide enough for any real use,
/// narrow enough that no value can spin, overflow or fail to name a file.
public enum ConfigLimits {
    /// Rotated files kept per log: each rotation renames them all.
    public static let maxKeep = 1000
    public static let maxRestarts = 1_000_000
    /// Every duration (timeouts, backoff, minUptime): a day. Far from overflowing a clock.
    public static let maxDuration: Duration = .seconds(24 * 3600)
    /// Every size (log maxSize, maxMemory): 1T.
    public static let maxSize = 1 << 40
    /// `NAME.out.log.1000` must fit a file name (255 bytes), with room to spare.
    public static let maxNameLength = 128
}
