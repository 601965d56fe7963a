/// The layer a variable of an instance's environment came from, for `fom env` to explain.
public enum EnvironmentSource: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Layer 1: the supervisor's own environment.
    case supervisor
    /// Layer 2: the `.env` file at this path.
    case envFile(String)
    /// Layer 3: what every FiftyOne App server needs.
    case fiftyOneDefaults
    /// Layer 4: the instance's `env` in supervisor.json.
    case instanceEnv
    /// Layer 5: the CVAT Sync checkbox.
    case cvatSync
    /// Layer 6: fom's own markers.
    case fom

    public var description: String {
        switch self {
        case .supervisor: "supervisor"
        case .envFile(let path): path
        case .fiftyOneDefaults: "fiftyone defaults"
        case .instanceEnv: "instance env"
        case .cvatSync: "cvat sync"
        case .fom: "fom"
        }
    }
}
