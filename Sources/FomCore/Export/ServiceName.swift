/// Instance names as DNS labels, which Kubernetes needs for object and Service names (RFC 1035:
/// lowercase letters, digits and `-`, starting with a letter, at most 63 characters).
public enum ServiceName {
    public static func from(_ name: String) -> String {
        var label = String(
            name.lowercased().unicodeScalars.map { scalar -> Character in
                let isAlnum = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                return isAlnum ? Character(scalar) : "-"
            })
        while label.hasPrefix("-") { label.removeFirst() }
        if let first = label.unicodeScalars.first, !("a"..."z").contains(first) { label = "i-" + label }
        if label.isEmpty { label = "instance" }
        if label.count > 63 { label = String(label.prefix(63)) }
        while label.hasSuffix("-") { label.removeLast() }
        return label
    }

    /// Whether `text` is a DNS-1123 label (a namespace name).
    public static func isLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, !text.hasPrefix("-"), !text.hasSuffix("-") else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
