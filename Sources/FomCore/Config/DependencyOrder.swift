/// Orders instances by `dependsOn`: an instance starts after what it depends on, stops before it.
public enum DependencyOrder {
    /// Every instance after its dependencies, otherwise in file order. Unknown names are ignored
    /// and a cycle (which validation rejects) is cut where it closes, so this never fails.
    public static func startOrder(_ instances: [InstanceConfig]) -> [InstanceConfig] {
        let order = startOrder(names: instances.map(\.name)) { name in
            instances.first(where: { $0.name == name })?.dependsOn ?? []
        }
        var byName: [String: InstanceConfig] = [:]
        for instance in instances where byName[instance.name] == nil { byName[instance.name] = instance }
        return order.compactMap { byName[$0] }
    }

    /// The same on names, for callers that only have names (the daemon's reload).
    public static func startOrder(names: [String], dependencies: (String) -> [String]) -> [String] {
        let known = Set(names)
        var placed: Set<String> = []
        var visiting: Set<String> = []
        var order: [String] = []
        // Depth-first, dependencies first: iterative so a long chain cannot overflow the stack.
        for root in names where !placed.contains(root) {
            var stack: [(name: String, pending: [String])] = [(root, dependencies(root).reversed())]
            visiting.insert(root)
            while !stack.isEmpty {
                if let next = stack[stack.count - 1].pending.popLast() {
                    guard known.contains(next), !placed.contains(next), !visiting.contains(next) else { continue }
                    visiting.insert(next)
                    stack.append((next, dependencies(next).reversed()))
                } else {
                    let done = stack.removeLast().name
                    visiting.remove(done)
                    placed.insert(done)
                    order.append(done)
                }
            }
        }
        return order
    }

    /// Each dependency cycle once, as the path that closes it (`["a", "b", "a"]`), with the name
    /// whose `dependsOn` entry closes it last but one. Self-dependencies are left to the caller.
    public static func cycles(names: [String], dependencies: (String) -> [String]) -> [[String]] {
        let known = Set(names)
        var done: Set<String> = []
        var cycles: [[String]] = []
        for root in names where !done.contains(root) {
            var path: [String] = [root]
            var onPath: Set<String> = [root]
            var stack: [[String]] = [dependencies(root).reversed()]
            while !stack.isEmpty {
                if let next = stack[stack.count - 1].popLast() {
                    guard known.contains(next), next != path.last, !done.contains(next) else { continue }
                    if onPath.contains(next) {
                        let start = path.firstIndex(of: next)!
                        cycles.append(Array(path[start...]) + [next])
                        continue
                    }
                    path.append(next)
                    onPath.insert(next)
                    stack.append(dependencies(next).reversed())
                } else {
                    stack.removeLast()
                    let finished = path.removeLast()
                    onPath.remove(finished)
                    done.insert(finished)
                }
            }
        }
        return cycles
    }
}
