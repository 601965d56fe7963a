import FomCore

/// One request line from the CLI to the daemon: `{"cmd": "stop", "targets": ["annotate"]}`.
public struct Request: Sendable, Equatable {
    public enum Command: String, Sendable, CaseIterable {
        case ping, list, describe, start, stop, restart, env, flush, kill, reload, upgrade
        /// Answered like `list`, then one `WatchEvent` line per change and a resource sample
        /// each second, for as long as the client reads.
        case watch
    }

    public var command: Command
    /// Ids, names or `all`, as the user typed them.
    public var targets: [String]
    /// start/stop/restart: answer only once the targets have settled.
    public var wait: Bool
    /// reload: report what would change, change nothing.
    public var dryRun: Bool
    /// env: values of secrets in cleartext (`env --reveal`, `exec`); masked otherwise.
    public var reveal: Bool
    /// start/restart from a CLI that has just started the daemon: the daemon's own start-up
    /// already started what is wanted, so only targets that never ran are started (a one-shot
    /// that already exited, or a crash loop that already gave up, does not run again).
    public var coldStart: Bool
    /// upgrade: the binary to exec (absolute); nil: the daemon's own executable path.
    public var binary: String?

    public init(
        _ command: Command, targets: [String] = [], wait: Bool = true, dryRun: Bool = false, reveal: Bool = false,
        coldStart: Bool = false
    ) {
        self.coldStart = coldStart
        self.command = command
        self.targets = targets
        self.wait = wait
        self.dryRun = dryRun
        self.reveal = reveal
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["cmd"] = .string(command.rawValue)
        o["targets"] = .array(targets.map { .string($0) })
        o["wait"] = .bool(wait)
        if command == .reload { o["dryRun"] = .bool(dryRun) }
        if reveal { o["reveal"] = true }
        if coldStart { o["coldStart"] = true }
        if let binary { o["binary"] = .string(binary) }
        return .object(o)
    }

    /// Decodes a request line; the error text is what the client is told.
    public init(line: [UInt8]) throws(ProtocolError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw ProtocolError("invalid JSON at \(error.position): \(error.message)")
        }
        guard case .object = value else { throw ProtocolError("a request must be a JSON object") }
        guard let name = value["cmd"]?.stringValue else { throw ProtocolError("missing \"cmd\"") }
        guard let command = Command(rawValue: name) else { throw ProtocolError("unknown command \"\(name)\"") }
        var targets: [String] = []
        if let list = value["targets"] {
            guard let items = list.arrayValue else { throw ProtocolError("\"targets\" must be an array of strings") }
            for item in items {
                guard let s = item.stringValue else { throw ProtocolError("\"targets\" must be an array of strings") }
                targets.append(s)
            }
        }
        self.init(
            command, targets: targets, wait: value["wait"]?.boolValue ?? true,
            dryRun: value["dryRun"]?.boolValue ?? false, reveal: value["reveal"]?.boolValue ?? false,
            coldStart: value["coldStart"]?.boolValue ?? false)
        binary = value["binary"]?.stringValue
    }
}

/// A request the daemon cannot serve; it answers `{"ok": false, "error": ...}` and goes on.
public struct ProtocolError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Answers are `{"ok": true, ...}` or `{"ok": false, "error": "..."}`.
public enum Response {
    public static func ok(_ members: [(String, JSONValue)] = []) -> JSONValue {
        .object(JSONObject([(key: "ok", value: .bool(true))] + members.map { (key: $0.0, value: $0.1) }))
    }

    public static func error(_ message: String) -> JSONValue {
        ["ok": false, "error": .string(message)]
    }
}
