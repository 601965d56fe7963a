/// A JSON object that keeps its keys in order, so a rewritten supervisor.json reads like the original.
/// Keys are unique. Small objects are searched in order; past `indexThreshold` members a key ->
/// position table keeps every lookup constant-time, so an object of 200,000 keys (an env answer)
/// is built and read in linear time.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Member = (key: String, value: JSONValue)

    public private(set) var members: [Member]
    /// Positions by key, kept once the object is large.
    private var index: [String: Int]?
    // Above the 22 members of a `list` row: searching that few keys in order costs less than
    // hashing them, on both ends of the protocol.
    static let indexThreshold = 32

    public init() {
        members = []
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex(where: { Self.sameKey($0.key, key) })
    }

    /// Two keys of different lengths are told apart without a string comparison (which must
    /// consider Unicode equivalence): most keys a scan passes differ in length.
    @inline(__always)
    static func sameKey(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    private mutating func buildIndexIfLarge() {
        guard index == nil, members.count > Self.indexThreshold else { return }
        var table: [String: Int] = [:]
        table.reserveCapacity(members.count)
        for (i, member) in members.enumerated() { table[member.key] = i }
        index = table
    }

    /// A later member with the same key replaces the earlier one, in the earlier one's place.
    public init(_ members: some Sequence<Member>) {
        self.members = []
        for (key, value) in members { self[key] = value }
    }

    /// For the parser, which has already rejected duplicate keys.
    init(uniqueMembers: [Member]) {
        members = uniqueMembers
        buildIndexIfLarge()
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    /// Setting nil removes the key; setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            switch (position(of: key), newValue) {
            case (let at?, let value?): members[at].value = value
            case (let at?, nil): remove(at: at)
            case (nil, let value?):
                members.append((key: key, value: value))
                index?[key] = members.count - 1
                buildIndexIfLarge()
            case (nil, nil): break
            }
        }
    }

    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[Member]> {
        members.makeIterator()
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let at = position(of: key) else { return nil }
        let value = members[at].value
        remove(at: at)
        return value
    }

    private mutating func remove(at position: Int) {
        members.remove(at: position)
        // Rare (a rewrite of supervisor.json): the table is rebuilt rather than shifted.
        index = nil
        buildIndexIfLarge()
    }

    /// JSON semantics: key order does not make two objects different.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}
