/// One variable read from a `.env` file.
public struct DotEnvEntry: Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let value: String
    /// The line of the definition that won (a later duplicate replaces an earlier one), 1-based.
    public let line: Int

    public init(key: String, value: String, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }

    public var description: String { "\(key)=\(value) (line \(line))" }
}
