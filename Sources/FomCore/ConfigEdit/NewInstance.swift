/// What `fom add` writes. A FiftyOne instance gets what the default file gives `annotate` and
/// `review`, so one line makes a working instance with a database of its own: `dependsOn` the
/// file's MongoDB when there is exactly one, `FIFTYONE_DATABASE_URI` pointing at it, and
/// `FIFTYONE_DATABASE_NAME` (the instance's name unless given).
public struct NewInstance: Sendable {
    public var name: String
    public var kind: InstanceKind
    public var port: Int?
    public var cvatSync = false
    /// `FIFTYONE_DATABASE_NAME`; nil means the instance's name.
    public var database: String?
    /// In the order given; a later value for the same variable wins.
    public var env: [(key: String, value: String)] = []
    public var dependsOn: [String] = []
    public var autostart = true
    /// A process instance's argv; a FiftyOne instance keeps the default command.
    public var command: [String] = []

    public init(name: String, kind: InstanceKind = .fiftyone) {
        self.name = name
        self.kind = kind
    }

    /// The members to append to `instances`, in the order the default file uses, and what the
    /// user should be told about the database it was given.
    public func object(joining existing: [InstanceConfig]) -> (object: JSONObject, notes: [String]) {
        var object = JSONObject()
        var notes: [String] = []
        object["name"] = .string(name)
        if kind != .fiftyone { object["kind"] = .string(kind.rawValue) }
        if !command.isEmpty { object["command"] = .array(command.map { .string($0) }) }
        if let port { object["port"] = JSONValue(port) }
        if cvatSync { object["cvatSync"] = true }
        if !autostart { object["autostart"] = false }

        var dependencies = dependsOn
        var variables = JSONObject()
        if kind == .fiftyone {
            let databaseName = env.last(where: { $0.key == "FIFTYONE_DATABASE_NAME" })?.value ?? database ?? name
            let mongos = MongoDBInstance.all(in: existing)
            if env.contains(where: { $0.key == "FIFTYONE_DATABASE_URI" }) {
                notes.append("database \"\(databaseName)\" at the FIFTYONE_DATABASE_URI given")
            } else if mongos.count == 1, let mongo = mongos.first {
                if !dependencies.contains(mongo.name) { dependencies.insert(mongo.name, at: 0) }
                variables["FIFTYONE_DATABASE_URI"] = .string(mongo.uri)
                notes.append("database \"\(databaseName)\" on \(mongo.name) (\(mongo.uri))")
            } else if mongos.isEmpty {
                notes.append(
                    "no MongoDB instance in the file: FIFTYONE_DATABASE_URI is not set, so FiftyOne starts a database of its own (set it with --env FIFTYONE_DATABASE_URI=...)"
                )
            } else {
                notes.append(
                    "several MongoDB instances (\(mongos.map(\.name).joined(separator: ", "))): choose one with --depends-on NAME --env FIFTYONE_DATABASE_URI=..."
                )
            }
            variables["FIFTYONE_DATABASE_NAME"] = .string(databaseName)
        }
        for (key, value) in env { variables[key] = .string(value) }
        if !dependencies.isEmpty {
            var seen = Set<String>()
            object["dependsOn"] = .array(dependencies.filter { seen.insert($0).inserted }.map { .string($0) })
        }
        if !variables.isEmpty { object["env"] = .object(variables) }
        return (object, notes)
    }
}
