/// Values of the env file that are still the placeholders of its example (`.env.example`'s
/// `CVAT_PASSWORD='change-me'`): a copied example validates, but nothing logs in with it.
public enum PlaceholderCheck {
    /// Words that mark a value as something to replace, wherever it comes from.
    static let placeholderWords = ["change-me", "changeme", "change_me", "replace-me", "replaceme"]

    public struct Finding: Sendable, Equatable {
        public let key: String
        public let line: Int
    }

    /// The entries of `env` that still hold a placeholder: a secret left as the example has it,
    /// or any value that says it is one ("change-me", "your-...", "<...>").
    public static func findings(env: [DotEnvEntry], example: [DotEnvEntry]) -> [Finding] {
        var exampleValues: [String: String] = [:]
        for entry in example { exampleValues[entry.key] = entry.value }
        var seen = Set<String>()
        var result: [Finding] = []
        for entry in env.reversed() where seen.insert(entry.key).inserted {
            guard !entry.value.isEmpty else { continue }
            let lowered = entry.value.lowercased()
            let saysPlaceholder =
                placeholderWords.contains { lowered.contains($0) } || lowered.hasPrefix("your-")
                || (lowered.hasPrefix("<") && lowered.hasSuffix(">"))
            let copiedSecret = Redaction.isSecret(entry.key) && exampleValues[entry.key] == entry.value
            if saysPlaceholder || copiedSecret { result.append(Finding(key: entry.key, line: entry.line)) }
        }
        return result.reversed()
    }
}
