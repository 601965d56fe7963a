/// One change `fom edit` makes to one instance's entry in supervisor.json.
public enum InstanceEdit: Sendable, Equatable {
    /// Sets a key to a value (`--set`, `--port`, `--cvat-sync on`).
    case set(key: String, value: JSONValue)
    /// Removes a key, which then takes its default (`--cvat-sync off`, `--autostart on`).
    case remove(key: String)
    case setEnv(name: String, value: String)
    case unsetEnv(name: String)

    /// Applies the edit to the text; false when the text already said so (nothing to remove).
    public func apply(to text: inout ConfigText, instance: String) throws(ConfigEditError) -> Bool {
        let before = text
        switch self {
        case .set(let key, let value): try text.setKey(key, value, instance: instance)
        case .remove(let key): try text.removeKey(key, instance: instance)
        case .setEnv(let name, let value): try text.setEnv(name, value, instance: instance)
        case .unsetEnv(let name): try text.unsetEnv(name, instance: instance)
        }
        return text != before
    }

    /// What changed, for the user. Values only for booleans and numbers: a string may be a
    /// secret (an env value always may), and the file holds it anyway.
    public var summary: String {
        switch self {
        case .set(let key, let value):
            switch value {
            case .bool, .number, .null: "\(key) \(value.serialized())"
            default: "\(key) set"
            }
        case .remove(let key): "\(key) removed"
        case .setEnv(let name, _): "env.\(name) set"
        case .unsetEnv(let name): "env.\(name) removed"
        }
    }
}
