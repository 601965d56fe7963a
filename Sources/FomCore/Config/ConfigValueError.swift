/// Why one value (a duration, a size, a signal) does not parse; the loader adds file, line and path.
public struct ConfigValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
