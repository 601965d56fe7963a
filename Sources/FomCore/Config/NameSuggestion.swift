/// The "did you mean" of every error that names something unknown: a key, an instance, a value.
public enum NameSuggestion {
    /// The closest candidate: a case-insensitive match first, else the smallest edit distance
    /// (a swap of two letters counts as one edit) when it is small for the word's length, else a
    /// candidate that starts with the word or that the word starts with.
    public static func closest(to word: String, in candidates: some Collection<String>) -> String? {
        let lowered = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let other = Array(candidate.lowercased())
            if other == lowered { return candidate }
            let limit = max(1, min(3, max(lowered.count, other.count) / 3))
            let distance = editDistance(lowered, other)
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        // An abbreviation or a longer spelling: `max` for `maximum`, `ready` for `read`.
        guard lowered.count >= 3 else { return nil }
        return candidates.first { candidate in
            let other = Array(candidate.lowercased())
            return other.count >= 3 && (other.starts(with: lowered) || lowered.starts(with: other))
        }
    }

    /// `; did you mean "x"?` or the empty string, ready to append to a message.
    static func hint(for word: String, in candidates: some Collection<String>) -> String {
        closest(to: word, in: candidates).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
