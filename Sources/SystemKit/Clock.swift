import CSystem

/// Monotonic time for deadlines (never wall-clock), and wall time for what users read.
public enum Clock {
    public static func monotonicNanoseconds() -> Int64 { csys_monotonic_ns() }
    public static func wallMilliseconds() -> Int64 { csys_realtime_ms() }
}
