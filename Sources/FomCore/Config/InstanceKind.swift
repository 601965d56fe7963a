/// A FiftyOne App server gets FiftyOne defaults (command, ready check, environment); a process
/// instance (MongoDB, a worker) runs exactly the command it is given.
public enum InstanceKind: String, Sendable, CaseIterable {
    case fiftyone
    case process
}
