/// Why a `${...}` reference could not be expanded.
public enum VariableExpansionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `${NAME:?reason}` with NAME unset or empty, or `${NAME?reason}` with NAME unset.
    case missingRequired(variable: String, reason: String)
    /// `${` not followed by a name, a known operator and a closing brace on the same line.
    case invalidReference(String)

    /// Same words as docker compose, so a message found in its issues means the same here.
    public var description: String {
        switch self {
        case .missingRequired(let variable, let reason):
            reason.isEmpty
                ? "required variable \(variable) is missing a value"
                : "required variable \(variable) is missing a value: \(reason)"
        case .invalidReference(let text):
            "invalid variable reference \(text.debugDescription)"
        }
    }

    /// The same error with every secret value in its text masked: the reason and the reference
    /// are quoted as written, and `${NOPE:?the password is hunter2}` must not show the password
    /// that `CVAT_PASSWORD=hunter2` set.
    public func masking(_ secrets: SecretValues) -> VariableExpansionError {
        switch self {
        case .missingRequired(let variable, let reason):
            .missingRequired(variable: variable, reason: secrets.mask(reason))
        case .invalidReference(let text): .invalidReference(secrets.mask(text))
        }
    }

    /// The message without any text of the value it was found in, for a secret's value:
    /// neither the reference as written nor the reason of `${NAME:?reason}` (both are part of it).
    public var withoutValueText: String {
        switch self {
        case .missingRequired: "the value requires a variable that is missing or empty"
        case .invalidReference:
            "the value has an invalid ${...} reference ('$$' is a literal '$')"
        }
    }
}
