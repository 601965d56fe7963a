/// The one answer to an id or name that names no instance, whoever gives it (the daemon, or the
/// CLI reading supervisor.json itself): a "did you mean" when a name is close, and always the
/// ids and names there are, so `fom describe 9` and `fom env 9` read the same.
public enum UnknownInstance {
    public static func message(_ target: String, known: [(id: Int, name: String)]) -> String {
        var message = "unknown instance \"\(target)\""
        if let hint = NameSuggestion.closest(to: target, in: known.map(\.name)) {
            message += "; did you mean \"\(hint)\"?"
        }
        if known.isEmpty { return message + " (there are no instances)" }
        return message + " (known: " + known.map { "\($0.id) \($0.name)" }.joined(separator: ", ") + ")"
    }
}
