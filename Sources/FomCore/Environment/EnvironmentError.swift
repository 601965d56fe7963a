/// Why an instance's environment cannot be built; the instance does not start (`errored`).
/// Every message is one line that starts with the instance's name.
public enum EnvironmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// cvatSync is on and these checkbox inputs (in `CVAT_URL`, `CVAT_USERNAME`, `CVAT_PASSWORD`
    /// order) are unset or empty.
    case missingCVATSettings(instance: String, variables: [String], envFile: String)
    /// A `${...}` in the instance's `env` failed.
    case instanceEnvExpansion(instance: String, key: String, VariableExpansionError)
    /// A name that `execve` cannot carry (empty, or containing `=` or NUL).
    case invalidName(instance: String, key: String)
    /// A value with a NUL byte would be cut short by `execve`.
    case nulInValue(instance: String, key: String, source: EnvironmentSource)

    public var description: String {
        switch self {
        case .missingCVATSettings(let instance, let variables, let envFile):
            let one = variables.count == 1
            let place = envFile.isEmpty ? "the .env file" : envFile
            return "\(instance): cvatSync is on but \(Self.list(variables)) \(one ? "is" : "are") "
                + "missing or empty (set \(one ? "it" : "them") in \(place))"
        case .instanceEnvExpansion(let instance, let key, let error):
            // The error quotes the value as written, which for a secret is the secret.
            guard Redaction.isSecret(key) else { return "\(instance): env \(key): \(error)" }
            return "\(instance): env \(key): \(error.withoutValueText) (the text is not shown: \(key) is a secret)"
        case .invalidName(let instance, let key):
            return "\(instance): env key \"\(key)\" is not a valid variable name"
        case .nulInValue(let instance, let key, let source):
            return "\(instance): the value of \(key) (from \(source)) contains a NUL character"
        }
    }

    private static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
