/// A mistake in how fom was called: one line, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// An operation that failed: one line, exit code 1. `located` messages already start with
/// `FILE:LINE:` and are printed as they are, like a compiler's.
struct Failure: Error, CustomStringConvertible {
    let message: String
    let located: Bool
    init(_ message: String, located: Bool = false) {
        self.message = message
        self.located = located
    }
    var description: String { message }
}
