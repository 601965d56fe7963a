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

    /// A secret's value is masked, so an entry printed in a log or a test failure keeps it hidden.
    public var description: String {
        "\(key)=\(SecretValues().display(name: key, value: value, reveal: false)) (line \(line))"
    }
}
