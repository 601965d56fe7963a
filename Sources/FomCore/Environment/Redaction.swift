/// Keeps secrets off the screen and out of fom's own log unless the user asks with `--reveal`.
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

    /// The value to show for `name`: the mask for a secret unless `reveal`. An empty secret shows
    /// as empty, since "the password is empty" is what the user needs to see and reveals nothing.
    public static func display(name: String, value: String, reveal: Bool) -> String {
        reveal || value.isEmpty || !isSecret(name) ? value : mask
    }

    /// `text` with every occurrence of each secret value replaced by the mask. Values shorter than
    /// 4 characters are left alone: masking every "1" or "yes" would garble the text and hide
    /// nothing worth hiding. Longer secrets are tried first so that one containing another is
    /// masked whole. Matching is on UTF-8 bytes, so a secret is found even next to a combining
    /// mark, and since a secret starts and ends on scalar boundaries the result stays valid UTF-8.
    public static func mask(secrets: [String], in text: String) -> String {
        let needles = Set(secrets.filter { $0.count >= 4 })
            .map { Array($0.utf8) }
            .sorted { $0.count > $1.count }
        guard !needles.isEmpty else { return text }
        let haystack = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        search: while i < haystack.count {
            for needle in needles where haystack.count - i >= needle.count {
                if haystack[i..<(i + needle.count)].elementsEqual(needle) {
                    out.append(contentsOf: mask.utf8)
                    i += needle.count
                    continue search
                }
            }
            out.append(haystack[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
