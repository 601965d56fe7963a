import FomCore

/// The answer to `{"cmd": "reload"}`: what the daemon started, restarted, stopped and left alone.
/// `{"ok": true, "added": [...], "changed": [{"name": ..., "keys": [...]}], "removed": [...],
/// "unchanged": [...]}`.
public struct ReloadReport: Sendable, Equatable {
    /// An instance whose settings changed, with the keys that differ (`cvatSync`,
    /// `env.FIFTYONE_DATABASE_NAME`; names only, never values).
    public struct Change: Sendable, Equatable {
        public var name: String
        public var keys: [String]
        /// False when only keys that do not touch the running process changed (`autostart`):
        /// the daemon applies those in place. An answer without it restarts.
        public var restarts: Bool

        public init(name: String, keys: [String], restarts: Bool = true) {
            self.name = name
            self.keys = keys
            self.restarts = restarts
        }
    }

    public var added: [String]
    public var changed: [Change]
    public var removed: [String]
    public var unchanged: [String]
    /// `reload --dry-run`: what would be done; nothing was.
    public var dryRun: Bool

    public init(
        added: [String] = [], changed: [Change] = [], removed: [String] = [], unchanged: [String] = [],
        dryRun: Bool = false
    ) {
        self.added = added
        self.changed = changed
        self.removed = removed
        self.unchanged = unchanged
        self.dryRun = dryRun
    }

    /// The report of the daemon's plan.
    public init(plan: ReloadPlan, dryRun: Bool) {
        self.init(
            added: plan.added,
            changed: plan.changed.map { Change(name: $0.name, keys: $0.keys, restarts: $0.restarts) },
            removed: plan.removed, unchanged: plan.unchanged, dryRun: dryRun)
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// The daemon's answer: `{"ok": true, ...}`.
    public var answer: JSONValue { Response.ok(members) }

    /// The answer's members, after `"ok": true`.
    public var members: [(String, JSONValue)] {
        [
            ("added", .array(added.map { .string($0) })),
            (
                "changed",
                .array(
                    changed.map {
                        .object([
                            "name": .string($0.name), "keys": .array($0.keys.map { .string($0) }),
                            "restarts": .bool($0.restarts),
                        ])
                    })
            ),
            ("removed", .array(removed.map { .string($0) })),
            ("unchanged", .array(unchanged.map { .string($0) })),
            ("dryRun", .bool(dryRun)),
        ]
    }

    public var json: JSONValue { .object(JSONObject(members.map { (key: $0.0, value: $0.1) })) }

    /// Decodes an answer; nil when it is not a reload report.
    public init?(json value: JSONValue) {
        func names(_ key: String) -> [String]? {
            guard let items = value[key]?.arrayValue else { return nil }
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? strings : nil
        }
        guard let added = names("added"), let removed = names("removed"), let unchanged = names("unchanged"),
            let changedItems = value["changed"]?.arrayValue
        else { return nil }
        var changed: [Change] = []
        for item in changedItems {
            guard let name = item["name"]?.stringValue else { return nil }
            changed.append(
                Change(
                    name: name, keys: item["keys"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    restarts: item["restarts"]?.boolValue ?? true))
        }
        self.init(
            added: added, changed: changed, removed: removed, unchanged: unchanged,
            dryRun: value["dryRun"]?.boolValue ?? false)
    }
}
