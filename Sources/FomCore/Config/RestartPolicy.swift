/// When an instance that ended is started again, as in systemd's `Restart=`.
public enum RestartPolicy: String, Sendable, CaseIterable {
    case always
    /// Restart after a non-zero exit or a signal; a clean exit 0 stays exited.
    case onFailure = "on-failure"
    case never
}
