import FomCore
import SystemKit

/// The state file: what the user wants up or down, stable ids, and which processes run (pid and
/// start time, so a reused pid is never mistaken). Kept apart from what is up, as s6 does.
public struct StateStore: Sendable {
    public struct Running: Sendable, Equatable {
        public var pid: Int32
        public var startTime: UInt64

        public init(pid: Int32, startTime: UInt64) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    /// Stable numeric ids: kept across runs, never reused.
    public var ids = InstanceIDs()
    public var wanted: [String: Bool] = [:]
    public var running: [String: Running] = [:]

    public init() {}

    /// Reads the file; a missing or unreadable one is a first run.
    public static func load(_ path: String) -> StateStore {
        var store = StateStore()
        guard let text = Files.readText(path), let v = try? JSONValue(parsing: text) else { return store }
        var byName: [String: Int] = [:]
        for (name, value) in v["ids"]?.objectValue ?? JSONObject() {
            if let id = value.intValue { byName[name] = id }
        }
        store.ids = InstanceIDs(byName: byName, nextID: v["nextId"]?.intValue ?? 0)
        for (name, value) in v["instances"]?.objectValue ?? JSONObject() {
            if let up = value["wanted"]?.stringValue { store.wanted[name] = up == "up" }
            if let pid = value["pid"]?.intValue, let start = value["startTime"]?.intValue {
                store.running[name] = Running(pid: Int32(pid), startTime: UInt64(start))
            }
        }
        return store
    }

    public var json: JSONValue {
        var idsObject = JSONObject()
        for name in ids.byName.keys.sorted() { idsObject[name] = JSONValue(ids.byName[name]!) }
        var instances = JSONObject()
        for name in Set(wanted.keys).union(running.keys).sorted() {
            var o = JSONObject()
            if let up = wanted[name] { o["wanted"] = .string(up ? "up" : "down") }
            if let r = running[name] {
                o["pid"] = JSONValue(Int(r.pid))
                o["startTime"] = JSONValue(Int(r.startTime))
            }
            instances[name] = .object(o)
        }
        return [
            "version": 1, "nextId": JSONValue(ids.nextID), "ids": .object(idsObject), "instances": .object(instances),
        ]
    }

    public func save(_ path: String) throws(SystemError) {
        try Files.writeAtomically(path, json.serialized(pretty: true) + "\n")
    }
}
