/// An env file that cannot be used at all (as opposed to a bad line in it, `DotEnvError`).
/// Only the default env file may be absent; one named by `--env` must exist, and a file that is
/// there but cannot be read is never taken for an absent one.
public enum EnvFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file `--env NAME` selects does not exist.
    case missing(path: String, envName: String?)
    /// Something is at the path but cannot be read: permission denied, a directory, a FIFO...
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path, let envName):
            "\(path): no such file (selected by --env\(envName.map { " \($0)" } ?? ""))"
        case .unreadable(let path, let reason):
            "\(path): cannot read the env file: \(reason)"
        }
    }
}
