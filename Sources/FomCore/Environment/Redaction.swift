/// Keeps secrets off the screen and out of fom's own log unless the user asks with `--reveal`:
/// which names mark a secret, and what a masked value shows. What else is secret (a value that
/// holds a secret's value) is `SecretValues`.
public enum Redaction {
    public static let mask = "********"

    /// Name fragments that mark a secret, matched case-insensitively anywhere in the name.
    public static let secretMarkers = [
        "PASSWORD", "SECRET", "TOKEN", "PASSWD", "API_KEY", "PRIVATE_KEY", "CREDENTIAL",
    ]

    /// Whether a variable's value is a secret, judged by its name alone.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretMarkers.contains { upper.contains($0) }
    }
}
