import FomCore

/// What `list` and `describe` show of one instance; the daemon fills it, the CLI prints it.
public struct InstanceInfo: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var kind: String
    public var status: InstanceStatus
    public var pid: Int?
    /// Since the process became online, in milliseconds; nil until then (starting shows `-`).
    public var uptimeMs: Int?
    public var restarts: Int
    public var port: Int?
    public var cvatSync: Bool
    /// Why it is errored, or what it waits for.
    public var reason: String?
    public var lastExit: String?
    /// Monotonic-free wall time of the next restart try, for backoff (epoch ms).
    public var nextTryMs: Int?
    /// describe only: exits with their wall time, newest last.
    public var history: [String]
    /// describe only: log write errors since the daemon started.
    public var logErrors: Int
    public var lastLogError: String?
    /// describe only: the resolved command and working directory of the last spawn.
    public var command: [String]
    public var cwd: String
    /// Where it listens (nil from a daemon that does not say: 127.0.0.1, the default).
    public var address: String?
    /// CPU of the whole process tree, in percent of one core, over the interval since the
    /// daemon's previous sample; nil before a second sample of this run exists.
    public var cpuPercent: Double?
    /// Resident memory of the whole process tree (every process carrying the marker), in bytes.
    public var memoryBytes: Int?
    /// CPU seconds the instance's process trees used since the daemon started, as sampled
    /// (a process that ends between two samples takes its last ticks with it); /metrics' counter.
    public var cpuSeconds: Double?

    public init(
        id: Int, name: String, kind: String, status: InstanceStatus, pid: Int? = nil, uptimeMs: Int? = nil,
        restarts: Int = 0, port: Int? = nil, cvatSync: Bool = false, reason: String? = nil,
        lastExit: String? = nil, nextTryMs: Int? = nil, history: [String] = [], logErrors: Int = 0,
        lastLogError: String? = nil, command: [String] = [], cwd: String = "", address: String? = nil,
        cpuPercent: Double? = nil, memoryBytes: Int? = nil, cpuSeconds: Double? = nil
    ) {
        self.cpuSeconds = cpuSeconds
        self.id = id
        self.name = name
        self.kind = kind
        self.status = status
        self.pid = pid
        self.uptimeMs = uptimeMs
        self.restarts = restarts
        self.port = port
        self.cvatSync = cvatSync
        self.reason = reason
        self.lastExit = lastExit
        self.nextTryMs = nextTryMs
        self.history = history
        self.logErrors = logErrors
        self.lastLogError = lastLogError
        self.command = command
        self.cwd = cwd
        self.address = address
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
    }

    /// `http://ADDRESS:PORT` for an instance with a port, as the manager's list linked each App.
    /// One that listens on every interface (0.0.0.0) is shown at 127.0.0.1, where this host
    /// reaches it, as the ready check does.
    public var url: String? {
        guard let port else { return nil }
        let host = address.map { $0.isEmpty || $0 == "0.0.0.0" ? "127.0.0.1" : $0 } ?? "127.0.0.1"
        return "http://\(host):\(port)"
    }

    public var json: JSONValue { json(compact: false) }

    /// `compact` leaves out every member that holds its default (null, a zero count, false, empty), which
    /// `init(json:)` reads back the same: the daemon's `list` and `watch` answers, where half of a
    /// row's members are empty and 1,000 rows cost both ends their parse. `fom list --json` and
    /// the dashboard's API print every member.
    public func json(compact: Bool) -> JSONValue {
        guard compact else { return .object(fullObject) }
        var o = JSONObject()
        for member in fullObject.members {
            switch member.value {
            case .null, .bool(false): continue
            case .array(let elements) where elements.isEmpty: continue
            case .string(let text) where text.isEmpty: continue
            // Zero is a value for the optional numbers (uptime, cpu): only counters default to it.
            case .number(let number) where number.intValue == 0 && (member.key == "restarts" || member.key == "logErrors"):
                continue
            default: o[member.key] = member.value
            }
        }
        return .object(o)
    }

    private var fullObject: JSONObject {
        var o = JSONObject()
        o["id"] = JSONValue(id)
        o["name"] = .string(name)
        o["kind"] = .string(kind)
        o["status"] = .string(status.rawValue)
        o["pid"] = pid.map { JSONValue($0) } ?? .null
        o["uptimeMs"] = uptimeMs.map { JSONValue($0) } ?? .null
        o["restarts"] = JSONValue(restarts)
        o["port"] = port.map { JSONValue($0) } ?? .null
        o["cvatSync"] = .bool(cvatSync)
        o["reason"] = reason.map { .string($0) } ?? .null
        o["lastExit"] = lastExit.map { .string($0) } ?? .null
        o["nextTryMs"] = nextTryMs.map { JSONValue($0) } ?? .null
        o["history"] = .array(history.map { .string($0) })
        o["logErrors"] = JSONValue(logErrors)
        o["lastLogError"] = lastLogError.map { .string($0) } ?? .null
        o["command"] = .array(command.map { .string($0) })
        o["cwd"] = .string(cwd)
        o["address"] = address.map { .string($0) } ?? .null
        o["url"] = url.map { .string($0) } ?? .null
        o["cpuPercent"] = cpuPercent.map { JSONValue($0) } ?? .null
        o["memoryBytes"] = memoryBytes.map { JSONValue($0) } ?? .null
        if let cpuSeconds { o["cpuSeconds"] = JSONValue(cpuSeconds) }
        return o
    }

    public init?(json v: JSONValue) {
        guard let id = v["id"]?.intValue, let name = v["name"]?.stringValue,
            let kind = v["kind"]?.stringValue,
            let status = v["status"]?.stringValue.flatMap(InstanceStatus.init(rawValue:))
        else { return nil }
        self.init(
            id: id, name: name, kind: kind, status: status, pid: v["pid"]?.intValue,
            uptimeMs: v["uptimeMs"]?.intValue, restarts: v["restarts"]?.intValue ?? 0,
            port: v["port"]?.intValue, cvatSync: v["cvatSync"]?.boolValue ?? false,
            reason: v["reason"]?.stringValue, lastExit: v["lastExit"]?.stringValue,
            nextTryMs: v["nextTryMs"]?.intValue,
            history: v["history"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            logErrors: v["logErrors"]?.intValue ?? 0, lastLogError: v["lastLogError"]?.stringValue,
            command: v["command"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            cwd: v["cwd"]?.stringValue ?? "", address: v["address"]?.stringValue,
            cpuPercent: v["cpuPercent"]?.doubleValue, memoryBytes: v["memoryBytes"]?.intValue,
            cpuSeconds: v["cpuSeconds"]?.doubleValue)
    }
}
