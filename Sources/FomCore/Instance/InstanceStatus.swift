/// The states a user reads in `fom list`, named as DESIGN.md names them.
public enum InstanceStatus: String, Sendable, CaseIterable {
    case stopped, starting, online, stopping, backoff, errored, exited
    /// Shown only when no daemon runs: a process of the last daemon's run is still alive. Never
    /// the status of a machine.
    case orphaned

    /// States in which a process of the instance may exist.
    public var hasProcess: Bool { self == .starting || self == .online || self == .stopping || self == .orphaned }
}
