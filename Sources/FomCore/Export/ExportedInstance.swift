/// One instance as both exporters see it: the command, environment and checks it gets inside a
/// container, with every address and path already mapped (see `ExportPlan`).
public struct ExportedInstance: Sendable {
    /// The instance as supervisor.json has it (for the keys that have no equivalent).
    public var config: InstanceConfig
    /// Its name in the cluster and in compose: a DNS label (`Annotate_1` -> `annotate-1`).
    public var serviceName: String
    public var image: String
    /// argv inside the container: placeholders expanded, `{python}` as `python`, paths under
    /// the project mapped to `/app`, loopback bind addresses opened to `0.0.0.0`.
    public var command: [String]
    public var workingDirectory: String
    /// The port its Service (or compose's published port) serves: `port`, else a `ready` tcp port.
    public var servicePort: Int?
    public var probe: ExportedProbe?
    /// Direct dependencies' service names, in start order.
    public var dependsOn: [String]
    /// Started with the project: `autostart`, or needed by an instance that is.
    public var startsWithProject: Bool
    /// Set for a stateful instance: the directory (inside the container) that must persist.
    public var dataDirectory: String?
    /// The variables of its own (beyond the shared ConfigMap / env file), sorted by name.
    public var environment: [ExportedVariable]
}

/// A ready check as a container probe sees it.
public enum ExportedProbe: Sendable, Equatable {
    case http(path: String, port: Int)
    case tcp(port: Int)
}

/// One variable of an instance: a value, or a reference to a key of the Secret.
public struct ExportedVariable: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case literal(String)
        case secret(key: String)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}
