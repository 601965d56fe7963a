/// The checks of one instance, with a heading: `annotate (id 0, fiftyone, online, pid 1234)`.
public struct DoctorInstanceReport: Sendable {
    public var id: Int
    public var name: String
    public var kind: InstanceKind
    public var process: DoctorProcessState
    public var lines: [DoctorLine]

    public init(id: Int, name: String, kind: InstanceKind, process: DoctorProcessState, lines: [DoctorLine]) {
        self.id = id
        self.name = name
        self.kind = kind
        self.process = process
        self.lines = lines
    }
}

/// doctor's output: text for people (symbols on a terminal, words otherwise) or `--json`.
public struct DoctorReport: Sendable {
    public var instances: [DoctorInstanceReport]

    public init(instances: [DoctorInstanceReport]) {
        self.instances = instances
    }

    public var failures: Int { instances.reduce(0) { $0 + $1.lines.filter { $0.status == .fail }.count } }
    public var warnings: Int { instances.reduce(0) { $0 + $1.lines.filter { $0.status == .warn }.count } }

    /// 0 when nothing failed (warnings allowed), 1 otherwise.
    public var exitCode: Int32 { failures == 0 ? 0 : 1 }

    public enum Style: Sendable {
        /// `✓ ! ✗`, coloured: a terminal without NO_COLOR.
        case symbols
        /// `ok warn FAIL`: a pipe, a file, or NO_COLOR.
        case words
    }

    public func text(style: Style) -> [String] {
        var out: [String] = []
        for instance in instances {
            var state: String
            switch instance.process {
            case .running(let pid, let status): state = "\(status), pid \(pid)"
            case .notRunning(let status): state = status
            }
            out.append("\(instance.name) (id \(instance.id), \(instance.kind.rawValue), \(state))")
            for line in instance.lines {
                switch style {
                case .symbols:
                    out.append("  \(Self.paint(line.status.symbol, line.status)) \(line.message)")
                    if let fix = line.fix { out.append("    fix: \(fix)") }
                case .words:
                    out.append("  \(line.status.word) \(line.message)")
                    if let fix = line.fix { out.append("       fix: \(fix)") }
                }
            }
        }
        out.append(summary)
        return out
    }

    public var summary: String {
        let (f, w) = (failures, warnings)
        let warned = w == 0 ? "" : ", \(w) warning\(w == 1 ? "" : "s")"
        if f == 0 { return "doctor: nothing failed\(warned)" }
        return "doctor: \(f) check\(f == 1 ? "" : "s") failed\(warned)"
    }

    static func paint(_ symbol: String, _ status: DoctorStatus) -> String {
        let code: String
        switch status {
        case .ok: code = "32"
        case .warn: code = "33"
        case .fail: code = "31"
        }
        return "\u{1B}[\(code)m\(symbol)\u{1B}[0m"
    }

    public var json: JSONValue {
        let rows: [JSONValue] = instances.map { instance in
            var object: JSONObject = [
                "id": JSONValue(instance.id), "name": .string(instance.name), "kind": .string(instance.kind.rawValue),
            ]
            switch instance.process {
            case .running(let pid, let status):
                object["status"] = .string(status)
                object["pid"] = JSONValue(pid)
            case .notRunning(let status):
                object["status"] = .string(status)
            }
            object["checks"] = .array(
                instance.lines.map { line in
                    var check: JSONObject = [
                        "check": .string(line.check.rawValue), "status": .string(line.status.rawValue),
                        "message": .string(line.message),
                    ]
                    if let fix = line.fix { check["fix"] = .string(fix) }
                    if !line.data.isEmpty { check["data"] = .object(line.data) }
                    return .object(check)
                })
            return .object(object)
        }
        return .object([
            "ok": .bool(failures == 0), "failures": JSONValue(failures), "warnings": JSONValue(warnings),
            "instances": .array(rows),
        ])
    }

    /// Every message and fix with each secret value masked: a last guard, since the messages are
    /// built from names, but a server's error text could quote what it was sent.
    public func masking(_ secrets: SecretValues) -> DoctorReport {
        guard !secrets.isEmpty else { return self }
        var copy = self
        for i in copy.instances.indices {
            for j in copy.instances[i].lines.indices {
                copy.instances[i].lines[j].message = secrets.mask(copy.instances[i].lines[j].message)
                copy.instances[i].lines[j].fix = copy.instances[i].lines[j].fix.map(secrets.mask)
            }
        }
        return copy
    }
}
