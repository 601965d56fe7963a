/// A JSON text that does not parse: where, and a short reason in the user's words.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var position: JSONPosition
    public var message: String

    public init(position: JSONPosition, message: String) {
        self.position = position
        self.message = message
    }

    public var line: Int { position.line }
    public var column: Int { position.column }

    /// `LINE:COLUMN: message`; callers put the file name in front.
    public var description: String { "\(position): \(message)" }
}
