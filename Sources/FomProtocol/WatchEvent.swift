import FomCore

/// One line of the `watch` stream, after its first line (which is the answer of `list`).
/// `change`: the status, pid, restart count or last exit of an instance changed, as it happened.
/// `sample`: the cpu and memory of every instance, once a second while someone watches.
/// `removed`: a reload took the instance out, and it is down.
public enum WatchEvent: Sendable, Equatable {
    case change(InstanceInfo)
    case sample([ResourceSample])
    case removed(id: Int)

    public var json: JSONValue {
        switch self {
        case .change(let info):
            return .object(JSONObject([(key: "event", value: "change"), (key: "instance", value: info.json)]))
        case .sample(let samples):
            return .object(
                JSONObject([(key: "event", value: "sample"), (key: "samples", value: .array(samples.map(\.json)))]))
        case .removed(let id):
            return .object(JSONObject([(key: "event", value: "removed"), (key: "id", value: JSONValue(id))]))
        }
    }

    public init?(json v: JSONValue) {
        switch v["event"]?.stringValue {
        case "change":
            guard let info = v["instance"].flatMap(InstanceInfo.init(json:)) else { return nil }
            self = .change(info)
        case "sample":
            guard let items = v["samples"]?.arrayValue else { return nil }
            self = .sample(items.compactMap(ResourceSample.init(json:)))
        case "removed":
            guard let id = v["id"]?.intValue else { return nil }
            self = .removed(id: id)
        default:
            return nil
        }
    }
}

/// The cpu and memory of one instance's whole process tree at one sample; nil when it has no
/// process (or, for cpu, before a second sample of this run exists).
public struct ResourceSample: Sendable, Equatable {
    public var id: Int
    public var cpuPercent: Double?
    public var memoryBytes: Int?
    /// CPU seconds the instance's trees used since the daemon started (as sampled); a counter.
    public var cpuSeconds: Double?

    public init(id: Int, cpuPercent: Double?, memoryBytes: Int?, cpuSeconds: Double? = nil) {
        self.id = id
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["id"] = JSONValue(id)
        o["cpuPercent"] = cpuPercent.map { JSONValue($0) } ?? .null
        o["memoryBytes"] = memoryBytes.map { JSONValue($0) } ?? .null
        if let cpuSeconds { o["cpuSeconds"] = JSONValue(cpuSeconds) }
        return .object(o)
    }

    public init?(json v: JSONValue) {
        guard let id = v["id"]?.intValue else { return nil }
        self.init(
            id: id, cpuPercent: v["cpuPercent"]?.doubleValue, memoryBytes: v["memoryBytes"]?.intValue,
            cpuSeconds: v["cpuSeconds"]?.doubleValue)
    }
}
