/// A short fingerprint of a text (FNV-1a, 64 bits, 16 hex digits). Not for security: it tells
/// supervisor.json versions apart, and names a runtime directory in the processes' marker.
public enum Fingerprint {
    public static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
