/// Values written into supervisor.json the way the default file writes them: on one line, with
/// a space after each comma and colon (`["mongodb"]`, `{ "tcp": 27017 }`), or an object over
/// several lines, one member a line, as `env` is.
enum InlineJSON {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null, .bool, .number, .string: value.serialized()
        case .array(let elements): elements.isEmpty ? "[]" : "[" + elements.map(render).joined(separator: ", ") + "]"
        case .object(let object):
            object.isEmpty
                ? "{}" : "{ " + object.members.map { key(of: $0.key) + render($0.value) }.joined(separator: ", ") + " }"
        }
    }

    /// `"key": `
    static func key(of name: String) -> String {
        JSONValue.string(name).serialized() + ": "
    }

    /// An object with one member a line: the members at `indent + unit`, the closing brace at
    /// `indent`; members that are objects themselves stay on one line.
    static func renderLines(_ object: JSONObject, indent: String, unit: String, newline: String) -> String {
        guard !object.isEmpty else { return "{}" }
        let lines = object.members.map { indent + unit + key(of: $0.key) + render($0.value) }
        return "{" + newline + lines.joined(separator: "," + newline) + newline + indent + "}"
    }
}
