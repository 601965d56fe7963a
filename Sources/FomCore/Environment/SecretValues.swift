/// The one rule for what is secret, used by `fom env` (the daemon's answer, the dashboard), by
/// `fom export` (what goes into the Secret) and by every message that could quote a value:
/// a variable named like a secret (`Redaction.isSecret`), and any variable whose value contains
/// the value of one, so that `DB_URL=mongodb://bob:${CVAT_PASSWORD}@h/x` or `FOO=$CVAT_PASSWORD`
/// cannot show the password under another name.
///
/// Edge cases, decided once here (README, "Secrets"):
/// - an empty secret value hides nothing (every value "contains" it), and shows as empty;
/// - a value shorter than `minimumLength` is a secret where its own variable is shown, but not
///   looked for inside other values: masking every value with a "1" in it would hide most of the
///   environment, and which values were hidden would give the secret away;
/// - a secret value is masked whole (`DB_URL=********`), as a secret's own value is: a masked
///   part would show where the password sits and how long it is.
public struct SecretValues: Sendable, Equatable {
    /// Shorter values are only secret under their own name (see above); the same bound holds for
    /// masking inside text.
    public static let minimumLength = 4

    /// Distinct values of at least `minimumLength` characters, longest first, so that a secret
    /// that contains another is masked whole.
    public let values: [String]
    /// `values` as UTF-8, what is compared.
    private let needles: [[UInt8]]

    public init(_ candidates: some Sequence<String> = [String]()) {
        values = Set(candidates.filter { $0.count >= Self.minimumLength }).sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1
        }
        needles = values.map { Array($0.utf8) }
    }

    /// The values of the variables among `variables` (an environment, `.env` entries) whose
    /// names mark a secret.
    public init(variables: some Sequence<(key: String, value: String)>) {
        self.init(variables.lazy.filter { Redaction.isSecret($0.key) }.map(\.value))
    }

    public var isEmpty: Bool { values.isEmpty }

    /// Both sets: an answer that shows several environments masks each by all their secrets.
    public func union(_ other: SecretValues) -> SecretValues {
        SecretValues(values + other.values)
    }

    /// Whether `text` holds one of the values, compared as UTF-8 bytes (as `mask` finds them).
    public func occur(in text: String) -> Bool {
        guard !values.isEmpty else { return false }
        let haystack = Array(text.utf8)
        return needles.contains { needle in Self.firstMatch(needle, in: haystack, from: 0) != nil }
    }

    /// Whether the variable `name` with `value` is a secret: its name says so, or its value holds
    /// the value of a secret.
    public func isSecret(name: String, value: String) -> Bool {
        Redaction.isSecret(name) || occur(in: value)
    }

    /// The value to show for `name`: the mask for a secret unless `reveal`. An empty secret shows
    /// as empty, since "the password is empty" is what the user needs to see and reveals nothing.
    public func display(name: String, value: String, reveal: Bool) -> String {
        reveal || value.isEmpty || !isSecret(name: name, value: value) ? value : Redaction.mask
    }

    /// `variables` as they are shown: every secret masked unless `reveal`.
    public func display(_ variables: [String: String], reveal: Bool) -> [String: String] {
        guard !reveal else { return variables }
        var shown: [String: String] = [:]
        shown.reserveCapacity(variables.count)
        for (name, value) in variables { shown[name] = display(name: name, value: value, reveal: false) }
        return shown
    }

    /// `text` with every occurrence of each value replaced by the mask: for messages, where the
    /// rest of the text is worth keeping. Matching is on UTF-8 bytes, so a secret is found even
    /// next to a combining mark, and since a secret starts and ends on scalar boundaries the
    /// result stays valid UTF-8.
    public func mask(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        let haystack = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        search: while i < haystack.count {
            for needle in needles where Self.matches(needle, in: haystack, at: i) {
                out.append(contentsOf: Redaction.mask.utf8)
                i += needle.count
                continue search
            }
            out.append(haystack[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func matches(_ needle: [UInt8], in haystack: [UInt8], at i: Int) -> Bool {
        haystack.count - i >= needle.count && haystack[i..<(i + needle.count)].elementsEqual(needle)
    }

    private static func firstMatch(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], matches(needle, in: haystack, at: i) { return i }
            i += 1
        }
        return nil
    }
}
