/// A machine's parts as JSON for `fom upgrade`. Instants are on the monotonic clock, which is
/// the same for the next binary, but they are written as time left (or time since) relative to
/// `now`, so that the state does not depend on the clock it was taken with.
extension InstanceMachine.Parts {
    public func json(now: Instant) -> JSONValue {
        var o = JSONObject()
        o["failures"] = JSONValue(failures)
        o["restarts"] = JSONValue(restarts)
        o["stopReason"] = .string(stopReason)
        o["startedAgoNs"] = JSONValue(optional: startedAt.map { Int((now - $0).nanoseconds) })
        o["lastExit"] = lastExit.map(Self.json) ?? .null
        var p = JSONObject()
        func left(_ t: Instant) -> JSONValue { JSONValue(Int((t - now).nanoseconds)) }
        switch phase {
        case .stopped: p["name"] = "stopped"
        case .waiting: p["name"] = "waiting"
        case .starting(let pid, let readyBy):
            p["name"] = "starting"
            p["pid"] = JSONValue(Int(pid))
            p["readyInNs"] = readyBy.map(left) ?? .null
        case .online(let pid, let since):
            p["name"] = "online"
            p["pid"] = JSONValue(Int(pid))
            p["onlineAgoNs"] = JSONValue(Int((now - since).nanoseconds))
        case .stopping(let pid, let then, let killAt, let killed):
            p["name"] = "stopping"
            p["pid"] = JSONValue(optional: pid.map { Int($0) })
            p["then"] = Self.json(then)
            p["killInNs"] = left(killAt)
            p["killed"] = .bool(killed)
        case .backoff(let until):
            p["name"] = "backoff"
            p["retryInNs"] = left(until)
        case .errored(let reason):
            p["name"] = "errored"
            p["reason"] = .string(reason)
        case .exited: p["name"] = "exited"
        }
        o["phase"] = .object(p)
        return .object(o)
    }

    public init(json: HandoverReader, now: Instant) throws(HandoverError) {
        let p = try json.child("phase")
        func at(_ key: String) throws(HandoverError) -> Instant { now + .nanoseconds(try p.int(key)) }
        func pid() throws(HandoverError) -> Int32 {
            guard let pid = Int32(exactly: try p.int("pid")), pid > 0 else { throw p.fail("pid is not a pid") }
            return pid
        }
        let phase: InstanceMachine.Phase
        switch try p.string("name") {
        case "stopped": phase = .stopped
        case "waiting": phase = .waiting
        case "starting":
            phase = .starting(pid: try pid(), readyBy: p.optionalInt("readyInNs").map { now + .nanoseconds($0) })
        case "online": phase = .online(pid: try pid(), since: now + .nanoseconds(-(try p.int("onlineAgoNs"))))
        case "stopping":
            let pid = p.optionalInt("pid").flatMap { Int32(exactly: $0) }
            phase = .stopping(
                pid: pid, then: try Self.afterStop(try p.child("then")), killAt: try at("killInNs"),
                killed: try p.bool("killed"))
        case "backoff": phase = .backoff(until: try at("retryInNs"))
        case "errored": phase = .errored(try p.string("reason"))
        case "exited": phase = .exited
        case let other: throw p.fail("unknown phase \"\(other)\"")
        }
        self.init(
            phase: phase, failures: try json.int("failures"), restarts: try json.int("restarts"),
            lastExit: try json.optionalChild("lastExit").map(Self.exitRecord),
            startedAt: json.optionalInt("startedAgoNs").map { now + .nanoseconds(-$0) },
            stopReason: try json.string("stopReason"))
    }

    static func json(_ record: ExitRecord) -> JSONValue {
        var o = JSONObject()
        switch record.status {
        case .exited(let code): o["code"] = JSONValue(Int(code))
        case .signaled(let s): o["signal"] = JSONValue(Int(s))
        case .unknown: o["unknown"] = true
        }
        o["stoppedBy"] = JSONValue(optional: record.stoppedBy)
        o["neededKill"] = .bool(record.neededKill)
        return .object(o)
    }

    static func exitRecord(_ r: HandoverReader) throws(HandoverError) -> ExitRecord {
        let status: ExitStatus
        if let code = r.optionalInt("code").flatMap({ Int32(exactly: $0) }) {
            status = .exited(code)
        } else if let s = r.optionalInt("signal").flatMap({ Int32(exactly: $0) }) {
            status = .signaled(s)
        } else if r.value["unknown"]?.boolValue == true {
            status = .unknown
        } else {
            throw r.fail("neither a code nor a signal")
        }
        return ExitRecord(
            status: status, stoppedBy: r.optionalString("stoppedBy"), neededKill: try r.bool("neededKill"))
    }

    static func json(_ then: InstanceMachine.AfterStop) -> JSONValue {
        switch then {
        case .stay: return ["name": "stay"]
        case .start: return ["name": "start"]
        case .backoff(let d): return ["name": "backoff", "delayNs": JSONValue(Int(d.nanoseconds))]
        case .errored(let reason): return ["name": "errored", "reason": .string(reason)]
        case .exit: return ["name": "exit"]
        }
    }

    static func afterStop(_ r: HandoverReader) throws(HandoverError) -> InstanceMachine.AfterStop {
        switch try r.string("name") {
        case "stay": return .stay
        case "start": return .start
        case "backoff": return .backoff(.nanoseconds(try r.int("delayNs")))
        case "errored": return .errored(try r.string("reason"))
        case "exit": return .exit
        case let other: throw r.fail("unknown outcome \"\(other)\"")
        }
    }
}
