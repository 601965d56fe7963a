/// One problem in supervisor.json, printed as one line: `FILE:LINE:COLUMN: PATH: message`
/// (without `PATH: ` for syntax errors and problems of the whole file).
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: JSONPosition
    /// JSON path such as `instances[1].port`; empty for the file as a whole.
    public var path: String
    public var message: String

    public init(file: String, position: JSONPosition, path: String, message: String) {
        self.file = file
        self.position = position
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(file):\(position): \(message)" : "\(file):\(position): \(path): \(message)"
    }
}
