/// A short fingerprint of supervisor.json's text (FNV-1a, 64 bits): the CLI compares the file's
/// with the one the daemon loaded, to tell the user the daemon runs an older version.
public enum ConfigDigest {
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
