/// A YAML document as the exporters build it: strings, integers, booleans, sequences and mappings
/// whose keys keep the order they were written in (Kubernetes readers expect `apiVersion` first).
public indirect enum YAMLValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([YAMLValue])
    case map([YAMLEntry])

    /// A mapping from `(key, value)` pairs, in order; a nil value leaves its key out.
    public static func object(_ pairs: [(String, YAMLValue?)]) -> YAMLValue {
        .map(pairs.compactMap { key, value in value.map { YAMLEntry(key, $0) } })
    }

    public static func strings(_ values: [String]) -> YAMLValue { .list(values.map { .string($0) }) }

    /// The value at `key` of a mapping, for tests and for merging.
    public subscript(key: String) -> YAMLValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }
}

/// One key of a YAML mapping.
public struct YAMLEntry: Sendable, Equatable {
    public var key: String
    public var value: YAMLValue

    public init(_ key: String, _ value: YAMLValue) {
        self.key = key
        self.value = value
    }
}
