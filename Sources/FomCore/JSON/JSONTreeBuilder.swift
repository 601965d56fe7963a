/// What the parser builds from each value it reads. Two trees: `JSONNode` with positions for
/// config files, and `JSONValue` directly for protocol lines, which need no positions.
protocol JSONTreeBuilder {
    associatedtype Node
    static func null(at position: JSONPosition) -> Node
    static func bool(_ value: Bool, at position: JSONPosition) -> Node
    static func number(_ value: JSONNumber, at position: JSONPosition) -> Node
    static func string(_ value: String, at position: JSONPosition) -> Node
    static func array(_ elements: [Node], at position: JSONPosition) -> Node
    /// Keys are unique: the parser has rejected duplicates.
    static func object(_ members: [(key: String, keyPosition: JSONPosition, value: Node)], at position: JSONPosition)
        -> Node
}

enum JSONNodeBuilder: JSONTreeBuilder {
    static func null(at position: JSONPosition) -> JSONNode { JSONNode(.null, at: position) }
    static func bool(_ value: Bool, at position: JSONPosition) -> JSONNode { JSONNode(.bool(value), at: position) }
    static func number(_ value: JSONNumber, at position: JSONPosition) -> JSONNode {
        JSONNode(.number(value), at: position)
    }
    static func string(_ value: String, at position: JSONPosition) -> JSONNode {
        JSONNode(.string(value), at: position)
    }
    static func array(_ elements: [JSONNode], at position: JSONPosition) -> JSONNode {
        JSONNode(.array(elements), at: position)
    }
    static func object(
        _ members: [(key: String, keyPosition: JSONPosition, value: JSONNode)], at position: JSONPosition
    ) -> JSONNode {
        JSONNode(
            .object(members.map { JSONNode.Member(key: $0.key, keyPosition: $0.keyPosition, value: $0.value) }),
            at: position)
    }
}

enum JSONValueBuilder: JSONTreeBuilder {
    static func null(at position: JSONPosition) -> JSONValue { .null }
    static func bool(_ value: Bool, at position: JSONPosition) -> JSONValue { .bool(value) }
    static func number(_ value: JSONNumber, at position: JSONPosition) -> JSONValue { .number(value) }
    static func string(_ value: String, at position: JSONPosition) -> JSONValue { .string(value) }
    static func array(_ elements: [JSONValue], at position: JSONPosition) -> JSONValue { .array(elements) }
    static func object(
        _ members: [(key: String, keyPosition: JSONPosition, value: JSONValue)], at position: JSONPosition
    ) -> JSONValue {
        .object(JSONObject(uniqueMembers: members.map { (key: $0.key, value: $0.value) }))
    }
}
