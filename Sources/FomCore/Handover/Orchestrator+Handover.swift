/// The orchestrator's per-member state as JSON for `fom upgrade`.
extension Orchestrator {
    public func handoverJSON() -> JSONValue {
        let states = memberStates
        var members: [JSONValue] = []
        for id in states.keys.sorted() {
            let s = states[id]!
            var o = JSONObject()
            o["id"] = JSONValue(id)
            o["definition"] = Self.json(s.definition)
            o["wantedUp"] = .bool(s.wantedUp)
            o["condition"] = .string("\(s.condition)")
            o["pendingStop"] = JSONValue(optional: s.pendingStop)
            switch s.after {
            case .stay: o["after"] = "stay"
            case .restart: o["after"] = "restart"
            case .forget: o["after"] = "forget"
            case .replace(let d):
                o["after"] = "replace"
                o["replacement"] = Self.json(d)
            }
            o["issued"] = JSONValue(optional: s.issued?.rawValue)
            o["waitingFor"] = JSONValue(optional: s.waitingFor)
            members.append(.object(o))
        }
        return [
            "members": .array(members), "shuttingDown": .bool(shuttingDown), "hold": JSONValue(optional: holdReason),
        ]
    }

    public init(handover r: HandoverReader) throws(HandoverError) {
        var states: [Int: MemberState] = [:]
        for m in try r.array("members") {
            let conditionName = try m.string("condition")
            guard let condition = Condition.allCases.first(where: { "\($0)" == conditionName }) else {
                throw m.fail("unknown condition \"\(conditionName)\"")
            }
            let after: MemberState.After
            switch try m.string("after") {
            case "stay": after = .stay
            case "restart": after = .restart
            case "forget": after = .forget
            case "replace": after = .replace(try Self.definition(try m.child("replacement")))
            case let other: throw m.fail("unknown after \"\(other)\"")
            }
            var issued: MemberState.Issued?
            if let name = m.optionalString("issued") {
                guard let i = MemberState.Issued(rawValue: name) else { throw m.fail("unknown issued \"\(name)\"") }
                issued = i
            }
            states[try m.int("id")] = MemberState(
                definition: try Self.definition(try m.child("definition")), wantedUp: try m.bool("wantedUp"),
                condition: condition, pendingStop: m.optionalString("pendingStop"), after: after, issued: issued,
                waitingFor: m.optionalString("waitingFor"))
        }
        self.init(restoring: states, shuttingDown: try r.bool("shuttingDown"), hold: r.optionalString("hold"))
    }

    static func json(_ d: Definition) -> JSONValue {
        ["name": .string(d.name), "dependsOn": .array(d.dependsOn.map { .string($0) })]
    }

    static func definition(_ r: HandoverReader) throws(HandoverError) -> Definition {
        Definition(name: try r.string("name"), dependsOn: try r.strings("dependsOn"))
    }
}
