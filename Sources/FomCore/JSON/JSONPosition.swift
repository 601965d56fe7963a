/// Where something starts in a JSON text, 1-based, so errors read like a compiler's `file:line:column`.
/// Columns count Unicode scalars, not bytes, so they match what an editor shows for non-ASCII text.
public struct JSONPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: JSONPosition, rhs: JSONPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
