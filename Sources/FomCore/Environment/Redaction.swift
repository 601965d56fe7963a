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
        // Asked of every variable of every start (`ResolvedEnvironment.secrets`), so an ASCII
        // name is matched on its bytes; any other is uppercased as Unicode does ("ß" is "SS").
        let ascii = name.utf8.allSatisfy { $0 < 0x80 }
        guard ascii else {
            let upper = name.uppercased()
            return secretMarkers.contains { upper.contains($0) }
        }
        let bytes = Array(name.utf8)
        return markerBytes.contains { marker in
            guard bytes.count >= marker.count else { return false }
            return (0...(bytes.count - marker.count)).contains { start in
                marker.indices.allSatisfy { Self.upper(bytes[start + $0]) == marker[$0] }
            }
        }
    }

    private static let markerBytes = secretMarkers.map { Array($0.utf8) }

    private static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }
}
