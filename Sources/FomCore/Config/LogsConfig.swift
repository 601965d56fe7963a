/// Where instance logs go and how they rotate (`logs` in supervisor.json).
public struct LogsConfig: Sendable, Equatable {
    /// Absolute.
    public var dir: String
    /// Rotate a log file when it would grow past this many bytes.
    public var maxSize: Int
    /// How many rotated files (`NAME.out.log.1` ... `.N`) to keep; 0 keeps none.
    public var keep: Int
    /// Prefix every line with the time it was read.
    public var timestamps: Bool

    public static let defaultMaxSize = 10 << 20
    public static let defaultKeep = 5

    public init(dir: String, maxSize: Int = defaultMaxSize, keep: Int = defaultKeep, timestamps: Bool = false) {
        self.dir = dir
        self.maxSize = maxSize
        self.keep = keep
        self.timestamps = timestamps
    }
}
