import FomCore

/// The answer to `reload`: what was added, changed (with the keys that changed, never a value),
/// removed and left alone. `dryRun` when nothing was done.
public struct ReloadReport: Sendable, Equatable {
    public var plan: ReloadPlan
    public var dryRun: Bool

    public init(plan: ReloadPlan, dryRun: Bool) {
        self.plan = plan
        self.dryRun = dryRun
    }

    public var json: JSONValue {
        Response.ok(members)
    }

    public var members: [(String, JSONValue)] {
        [
            ("dryRun", .bool(dryRun)),
            ("added", .array(plan.added.map { .string($0) })),
            (
                "changed",
                .array(
                    plan.changed.map { change in
                        var o = JSONObject()
                        o["name"] = .string(change.name)
                        o["keys"] = .array(change.keys.map { .string($0) })
                        o["restarts"] = .bool(change.restarts)
                        return .object(o)
                    })
            ),
            ("removed", .array(plan.removed.map { .string($0) })),
            ("unchanged", .array(plan.unchanged.map { .string($0) })),
        ]
    }

    public init?(json v: JSONValue) {
        guard v["ok"]?.boolValue == true else { return nil }
        func names(_ key: String) -> [String] { v[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let changed: [ReloadPlan.Change] = (v["changed"]?.arrayValue ?? []).compactMap { c in
            guard let name = c["name"]?.stringValue else { return nil }
            return ReloadPlan.Change(
                name: name, keys: c["keys"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                restarts: c["restarts"]?.boolValue ?? true)
        }
        self.init(
            plan: ReloadPlan(
                added: names("added"), changed: changed, removed: names("removed"), unchanged: names("unchanged")),
            dryRun: v["dryRun"]?.boolValue ?? false)
    }
}
