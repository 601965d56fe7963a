import FomCore
import SystemKit

/// The state file: what the user wants up or down, stable ids, and which processes run (pid and
/// start time, so a reused pid is never mistaken). Kept apart from what is up, as s6 does.
public struct StateStore: Sendable, Equatable {
    public struct Running: Sendable, Equatable {
        public var pid: Int32
        public var startTime: UInt64

        public init(pid: Int32, startTime: UInt64) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    /// Where an instance is in its crash-loop budget, saved at each change so that a daemon
    /// that follows a crash goes on from it, as `fom upgrade` does: the automatic restarts, the
    /// failed starts in a row, and the retry deadline (backoff), the give-up (errored) or the
    /// moment the run went online. Instants are CLOCK_MONOTONIC nanoseconds, which every process
    /// of one boot shares; `bootID` says which boot.
    public struct Progress: Sendable, Equatable {
        public var restarts = 0
        public var failures = 0
        public var retryAtNs: Int64?
        public var onlineAtNs: Int64?
        public var errored: String?

        public init(
            restarts: Int = 0, failures: Int = 0, retryAtNs: Int64? = nil, onlineAtNs: Int64? = nil,
            errored: String? = nil
        ) {
            self.restarts = restarts
            self.failures = failures
            self.retryAtNs = retryAtNs
            self.onlineAtNs = onlineAtNs
            self.errored = errored
        }

        public var isEmpty: Bool { self == Progress() }
    }

    /// Why a state file cannot be believed: where in it (a key path, or a line and column for a
    /// syntax error) and what is wrong.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Ids past this are not ones fom gave: no config has a million instances.
    public static let maxID = 1 << 20
    /// Linux's PID_MAX_LIMIT.
    public static let maxPid = 1 << 22

    /// Stable numeric ids: kept across runs, never reused.
    public var ids = InstanceIDs()
    public var wanted: [String: Bool] = [:]
    public var running: [String: Running] = [:]
    public var progress: [String: Progress] = [:]
    /// The boot the monotonic instants in `progress` belong to (/proc/sys/kernel/random/boot_id).
    public var bootID: String?

    public init() {}

    /// Reads the file from the runtime directory. A missing file is a first run; one that does not
    /// parse or does not make sense is a first run too, with the reason in `problem`.
    public static func load(from directory: Directory) -> (store: StateStore, problem: Problem?) {
        guard let bytes = directory.readBytes(RuntimeDirectory.stateName, limit: 16 << 20) else {
            return (StateStore(), nil)
        }
        do {
            return (try parse(bytes), nil)
        } catch {
            return (StateStore(), error)
        }
    }

    /// Parses and checks a state file's content: every number in range, every id given once.
    public static func parse(_ bytes: [UInt8]) throws(Problem) -> StateStore {
        let v: JSONValue
        do {
            v = try JSONValue(parsing: bytes)
        } catch {
            throw Problem(description: "\(error)")
        }
        guard case .object = v else { throw Problem(description: "not a JSON object") }
        if let version = v["version"], version.intValue != 1 {
            throw Problem(description: "version: \(version.serialized()) is not 1")
        }
        var store = StateStore()
        var byName: [String: Int] = [:]
        var owner: [Int: String] = [:]
        if let ids = v["ids"] {
            guard let object = ids.objectValue else { throw Problem(description: "ids: not an object") }
            for (name, value) in object {
                guard let id = value.intValue, (0..<maxID).contains(id) else {
                    throw Problem(description: "ids.\(name): \(value.serialized()) is not an id")
                }
                if let other = owner[id] {
                    throw Problem(description: "ids.\(name): id \(id) is also the id of \(other)")
                }
                owner[id] = name
                byName[name] = id
            }
        }
        var nextID = 0
        if let next = v["nextId"] {
            guard let n = next.intValue, (0...maxID).contains(n) else {
                throw Problem(description: "nextId: \(next.serialized()) is out of range")
            }
            nextID = n
        }
        store.ids = InstanceIDs(byName: byName, nextID: nextID)
        if let instances = v["instances"] {
            guard let object = instances.objectValue else { throw Problem(description: "instances: not an object") }
            for (name, value) in object {
                guard value.objectValue != nil else { throw Problem(description: "instances.\(name): not an object") }
                if let word = value["wanted"] {
                    guard let up = word.stringValue, up == "up" || up == "down" else {
                        throw Problem(
                            description: "instances.\(name).wanted: \(word.serialized()) is not \"up\" or \"down\"")
                    }
                    store.wanted[name] = up == "up"
                }
                switch (value["pid"], value["startTime"]) {
                case (nil, nil): break
                case (let pid?, let start?):
                    guard let p = pid.intValue, (1...maxPid).contains(p) else {
                        throw Problem(description: "instances.\(name).pid: \(pid.serialized()) is not a pid")
                    }
                    guard let s = start.intValue, s >= 0 else {
                        throw Problem(
                            description: "instances.\(name).startTime: \(start.serialized()) is not a start time")
                    }
                    store.running[name] = Running(pid: Int32(p), startTime: UInt64(s))
                default:
                    throw Problem(description: "instances.\(name): a pid needs its startTime and the other way round")
                }
                var progress = Progress()
                for key in ["restarts", "failures"] {
                    guard let word = value[key] else { continue }
                    guard let n = word.intValue, (0...ConfigLimits.maxRestarts).contains(n) else {
                        throw Problem(description: "instances.\(name).\(key): \(word.serialized()) is not a count")
                    }
                    if key == "restarts" { progress.restarts = n } else { progress.failures = n }
                }
                for key in ["retryAt", "onlineAt"] {
                    guard let word = value[key] else { continue }
                    guard let n = word.intValue, n >= 0 else {
                        throw Problem(
                            description: "instances.\(name).\(key): \(word.serialized()) is not a monotonic time")
                    }
                    if key == "retryAt" { progress.retryAtNs = Int64(n) } else { progress.onlineAtNs = Int64(n) }
                }
                if let word = value["errored"] {
                    guard let reason = word.stringValue else {
                        throw Problem(description: "instances.\(name).errored: \(word.serialized()) is not a reason")
                    }
                    progress.errored = reason
                }
                if !progress.isEmpty { store.progress[name] = progress }
            }
        }
        if let boot = v["boot"] {
            guard let id = boot.stringValue else { throw Problem(description: "boot: \(boot.serialized()) is not a boot id") }
            store.bootID = id
        }
        return store
    }

    /// Moves a state file that does not make sense out of the way (`state.json.bad-MS`), so that
    /// it can be looked at and is not read again. Returns the name it now has.
    public static func setAside(in directory: Directory) -> String? {
        let name = "\(RuntimeDirectory.stateName).bad-\(Clock.wallMilliseconds())"
        return directory.rename(RuntimeDirectory.stateName, to: name) ? name : nil
    }

    /// The document as a value: the reference `text` is checked against (it writes the same
    /// bytes as this value's pretty form, faster), and what the tests build state files from.
    public var json: JSONValue {
        var idsObject = JSONObject()
        for name in ids.byName.keys.sorted() { idsObject[name] = JSONValue(ids.byName[name]!) }
        var instances = JSONObject()
        for name in Set(wanted.keys).union(running.keys).union(progress.keys).sorted() {
            var o = JSONObject()
            if let up = wanted[name] { o["wanted"] = .string(up ? "up" : "down") }
            if let r = running[name] {
                o["pid"] = JSONValue(Int(r.pid))
                o["startTime"] = JSONValue(Int(r.startTime))
            }
            if let p = progress[name], !p.isEmpty {
                o["restarts"] = JSONValue(p.restarts)
                o["failures"] = JSONValue(p.failures)
                if let t = p.retryAtNs { o["retryAt"] = JSONValue(Int(t)) }
                if let t = p.onlineAtNs { o["onlineAt"] = JSONValue(Int(t)) }
                if let reason = p.errored { o["errored"] = .string(reason) }
            }
            instances[name] = .object(o)
        }
        var o: JSONObject = [
            "version": 1, "nextId": JSONValue(ids.nextID), "ids": .object(idsObject), "instances": .object(instances),
        ]
        if let bootID { o["boot"] = .string(bootID) }
        return .object(o)
    }

    /// The file's text, as `json.serialized(pretty: true)` would write it, written straight to
    /// bytes: the state is saved after every exit, and with 1,000 instances building the
    /// document as a `JSONValue` first took 2 ms of the daemon's time on each.
    public var text: [UInt8] {
        var w = JSONStreamWriter(capacity: 96 * (running.count + wanted.count) + 256)
        w.beginObject()
        w.member("version", 1)
        w.member("nextId", Int64(ids.nextID))
        w.key("ids")
        w.beginObject()
        for name in ids.byName.keys.sorted() { w.member(name, Int64(ids.byName[name]!)) }
        w.endObject()
        w.key("instances")
        w.beginObject()
        var names = Set(wanted.keys)
        names.formUnion(running.keys)
        names.formUnion(progress.keys)
        for name in names.sorted() {
            w.key(name)
            w.beginObject()
            if let up = wanted[name] { w.member("wanted", up ? "up" : "down") }
            if let r = running[name] {
                w.member("pid", Int64(r.pid))
                w.member("startTime", Int64(r.startTime))
            }
            if let p = progress[name], !p.isEmpty {
                w.member("restarts", Int64(p.restarts))
                w.member("failures", Int64(p.failures))
                if let t = p.retryAtNs { w.member("retryAt", t) }
                if let t = p.onlineAtNs { w.member("onlineAt", t) }
                if let reason = p.errored { w.member("errored", reason) }
            }
            w.endObject()
        }
        w.endObject()
        if let bootID { w.member("boot", bootID) }
        w.endObject()
        return w.bytes
    }

    public func save(in directory: Directory) throws(SystemError) {
        try directory.writeAtomically(RuntimeDirectory.stateName, text + [UInt8(ascii: "\n")])
    }
}
