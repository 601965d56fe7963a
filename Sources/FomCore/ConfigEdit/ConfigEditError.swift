/// An edit of supervisor.json's text that cannot be made (the instance is not in the file, the
/// file does not parse). A change that makes the file invalid is not this: the loader reports it.
public struct ConfigEditError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
