/// The stable numeric ids of instances (`fom env 0`): given in order of first appearance and never
/// handed to another instance while the supervisor's state lives, as pm2 does. An instance that is
/// removed and later added again is a new instance and gets a new id.
public struct InstanceIDs: Sendable, Equatable {
    public private(set) var byName: [String: Int]
    /// Every id below this has been given out once.
    public private(set) var nextID: Int

    /// A first run: ids start at 0.
    public init() {
        byName = [:]
        nextID = 0
    }

    /// Restores what the state file stored; `nextID` is raised past every stored id if needed.
    public init(byName: [String: Int], nextID: Int) {
        self.byName = byName
        self.nextID = Swift.max(nextID, (byName.values.max() ?? -1) + 1)
    }

    /// Keeps the ids of `names` already known, gives new names the next ids in order, and retires
    /// the ids of names no longer present. Returns the id of each name, aligned with `names`.
    @discardableResult
    public mutating func assign(_ names: [String]) -> [Int] {
        var updated: [String: Int] = [:]
        var ids: [Int] = []
        for name in names {
            let id: Int
            if let known = updated[name] ?? byName[name] {
                id = known
            } else {
                id = nextID
                nextID += 1
            }
            updated[name] = id
            ids.append(id)
        }
        byName = updated
        return ids
    }

    public subscript(name: String) -> Int? { byName[name] }

    public func name(for id: Int) -> String? {
        byName.first(where: { $0.value == id })?.key
    }
}
