import Glibc

/// A failed system call: what was attempted and the errno text, as one line.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32 = Glibc.errno) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(operation): \(reason)" }

    /// The errno text alone ("No space left on device").
    public var reason: String { String(cString: strerror(errno)) }
}
