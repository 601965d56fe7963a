/// A `.env` file that cannot be read, located so that an editor can jump to it.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// One line, `FILE:LINE: message`, the shape compilers use so terminals make it clickable.
    public var description: String { "\(file):\(line): \(message)" }
}
