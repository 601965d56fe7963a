/// A parsed JSON value that remembers where each value and each object key starts, so config
/// validation can point at `supervisor.json:12:7`. `value` drops the positions.
public struct JSONNode: Sendable {
    public enum Content: Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONNode])
        /// Members in source order; the reader has already rejected duplicate keys.
        case object([Member])
    }

    public struct Member: Sendable {
        public var key: String
        public var keyPosition: JSONPosition
        public var value: JSONNode

        public init(key: String, keyPosition: JSONPosition, value: JSONNode) {
            self.key = key
            self.keyPosition = keyPosition
            self.value = value
        }
    }

    public var content: Content
    public var position: JSONPosition

    public init(_ content: Content, at position: JSONPosition) {
        self.content = content
        self.position = position
    }

    /// The member's value when this is an object holding `key`.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = content else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The plain value, without positions.
    public var value: JSONValue {
        switch content {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .string(let string): .string(string)
        case .array(let elements): .array(elements.map(\.value))
        case .object(let members): .object(JSONObject(members.map { (key: $0.key, value: $0.value.value) }))
        }
    }

    /// What the node is, for messages like "expected a string, found an array".
    public var kindDescription: String {
        switch content {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.text
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
