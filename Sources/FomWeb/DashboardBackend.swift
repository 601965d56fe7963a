import FomProtocol

/// What the server needs from the rest of fom; `fom ui` (FomCLI) provides it, so this target
/// knows nothing of the CLI and the daemon gets no HTTP code.
public protocol DashboardBackend: AnyObject {
    /// The daemon's `watch` stream, one for every browser; nil while it is not connected.
    var watchDescriptor: Int32? { get }
    /// Reads what the stream sent (the descriptor is readable); false once it closed.
    func receiveWatch() -> Bool
    /// Tries to connect the stream again (the daemon restarted); true when it is back.
    func reconnectWatch() -> Bool
    /// Closes the stream when it has been silent past its limit (a stopped or stuck daemon,
    /// which still holds the connection open); true when it did. Asked on every turn.
    func dropWatchIfSilent() -> Bool
    /// The rows as of now (uptimes grown since the last event).
    func rows() -> [InstanceInfo]
    /// How to run `fom WORDS...` as a child: the executable, its full argv (with the ui's
    /// --config and --env), the environment and the directory.
    func command(_ words: [String]) -> (
        executable: String, arguments: [String], environment: [String], directory: String
    )
    /// An instance's logs (stdout and stderr), read from the files as `fom logs -f` reads them;
    /// nil for an unknown instance.
    func openLogs(_ instance: String) -> LogFollowing?
    /// A line for fom.log (a secret's value never goes into it).
    func record(_ message: String)
}

extension DashboardBackend {
    public func dropWatchIfSilent() -> Bool { false }
}

/// Lines of one instance's log files: the last `tail` lines first, then what is appended.
public protocol LogFollowing: AnyObject {
    func tail(_ lines: Int) -> [LogLine]
    func poll() -> [LogLine]
}

public struct LogLine: Sendable {
    public var stream: String
    public var text: String
    public init(stream: String, text: String) {
        self.stream = stream
        self.text = text
    }
}
