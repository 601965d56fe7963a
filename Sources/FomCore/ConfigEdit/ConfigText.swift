/// The text of supervisor.json, edited as text: each edit splices the bytes of one value, member
/// or instance, so every other instance, key, key order, indentation and line stays byte for
/// byte as the user wrote it. New lines follow the file's own indentation and line ends.
/// Validity is not checked here: the caller runs the new text through the loader.
public struct ConfigText: Sendable, Equatable {
    public private(set) var text: String

    public init(_ text: String) {
        self.text = text
    }

    /// The names of the instances, in file order.
    public func instanceNames() throws(ConfigEditError) -> [String] {
        let document = try Document(text)
        return try document.instances().elements.compactMap { document.decode($0.member("name")?.value)?.stringValue }
    }

    // MARK: instances

    /// Appends an instance to `instances`, indented like its siblings.
    public mutating func appendInstance(_ instance: JSONObject) throws(ConfigEditError) {
        let document = try Document(text)
        let list = try document.instances()
        guard let last = list.elements.last else {
            // `[]`: open it over lines, one level deeper than the line that holds it.
            let indent = document.lineIndent(containing: list.start)
            let inner = indent + document.unit
            let body = document.renderInstance(instance, indent: inner, unit: document.unit)
            splice(
                document, list.start..<list.end,
                "[" + document.newline + inner + body + document.newline + indent + "]")
            return
        }
        guard document.startsLine(list.elements[0].start) else {
            // `[{ ... }, { ... }]` with members over lines: `}, {` style, the new one likewise.
            if let first = last.members.first, let memberIndent = document.indentBefore(first.keyStart) {
                let indent = document.lineIndent(containing: last.end)
                let unit =
                    memberIndent.hasPrefix(indent) && memberIndent.count > indent.count
                    ? String(memberIndent.dropFirst(indent.count)) : document.unit
                let body = document.renderInstance(instance, indent: indent, unit: unit)
                splice(document, last.end..<last.end, ", " + body)
            } else {
                splice(document, last.end..<last.end, ", " + InlineJSON.render(.object(instance)))
            }
            return
        }
        let indent = document.indentBefore(last.start) ?? document.lineIndent(containing: last.start)
        var unit = document.unit
        if let first = last.members.first, document.startsLine(first.keyStart),
            let memberIndent = document.indentBefore(first.keyStart), memberIndent.hasPrefix(indent),
            memberIndent.count > indent.count
        {
            unit = String(memberIndent.dropFirst(indent.count))
        }
        let body = document.renderInstance(instance, indent: indent, unit: unit)
        splice(document, last.end..<last.end, "," + document.newline + indent + body)
    }

    /// Takes an instance out of `instances`, with the separator and line it sat on.
    public mutating func removeInstance(named name: String) throws(ConfigEditError) {
        let document = try Document(text)
        let list = try document.instances()
        let index = try document.instanceIndex(name, in: list)
        splice(document, document.removalRange(of: index, in: list.elements.map { ($0.start, $0.end) }, list), "")
    }

    // MARK: keys of one instance

    /// Sets `key` of the instance: the value is replaced where it is, or the key is inserted
    /// where the key order of the documentation puts it (after `port` for `cvatSync`).
    public mutating func setKey(_ key: String, _ value: JSONValue, instance name: String) throws(ConfigEditError) {
        let document = try Document(text)
        let object = try document.instance(name)
        if let member = object.member(key) {
            let rendered = document.render(value, key: key, at: member.keyStart, in: object)
            splice(document, member.value.start..<member.value.end, rendered)
        } else {
            insert(document, key: key, value: value, into: object, after: Self.predecessor(of: key, in: object))
        }
    }

    /// Removes `key` from the instance; false when it has none.
    @discardableResult
    public mutating func removeKey(_ key: String, instance name: String) throws(ConfigEditError) -> Bool {
        let document = try Document(text)
        let object = try document.instance(name)
        guard let index = object.members.firstIndex(where: { $0.key == key }) else { return false }
        splice(
            document, document.removalRange(of: index, in: object.members.map { ($0.keyStart, $0.value.end) }, object),
            "")
        return true
    }

    /// Sets one variable of the instance's `env`: in place when it is there, else appended,
    /// creating `env` when the instance has none.
    public mutating func setEnv(_ variable: String, _ value: String, instance name: String) throws(ConfigEditError) {
        let document = try Document(text)
        let object = try document.instance(name)
        guard let env = object.member("env")?.value else {
            try setKey("env", .object([variable: .string(value)]), instance: name)
            return
        }
        guard env.isObject else { throw ConfigEditError("\(name): \"env\" is not an object") }
        if let member = env.member(variable) {
            splice(document, member.value.start..<member.value.end, JSONValue.string(value).serialized())
        } else {
            insert(document, key: variable, value: .string(value), into: env, after: env.members.count - 1)
        }
    }

    /// Removes one variable from the instance's `env`, and `env` itself when it is left empty;
    /// false when it is not set there.
    @discardableResult
    public mutating func unsetEnv(_ variable: String, instance name: String) throws(ConfigEditError) -> Bool {
        let document = try Document(text)
        let object = try document.instance(name)
        guard let env = object.member("env")?.value, let index = env.members.firstIndex(where: { $0.key == variable })
        else { return false }
        if env.members.count == 1 { return try removeKey("env", instance: name) }
        splice(document, document.removalRange(of: index, in: env.members.map { ($0.keyStart, $0.value.end) }, env), "")
        return true
    }

    /// Takes `dependency` out of the instance's `dependsOn`, and `dependsOn` itself when it is
    /// left empty; false when it is not listed.
    @discardableResult
    public mutating func removeDependency(_ dependency: String, instance name: String) throws(ConfigEditError) -> Bool {
        let document = try Document(text)
        let object = try document.instance(name)
        guard let list = object.member("dependsOn")?.value,
            let index = list.elements.firstIndex(where: { document.decode($0)?.stringValue == dependency })
        else { return false }
        if list.elements.count == 1 { return try removeKey("dependsOn", instance: name) }
        splice(document, document.removalRange(of: index, in: list.elements.map { ($0.start, $0.end) }, list), "")
        return true
    }

    // MARK: splicing

    private mutating func splice(_ document: Document, _ range: Range<Int>, _ replacement: String) {
        var bytes = document.bytes
        bytes.replaceSubrange(range, with: Array(replacement.utf8))
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Inserts a member after the member at `index` (nil: first), on a line of its own when the
    /// object's members are on lines of their own.
    private mutating func insert(
        _ document: Document, key: String, value: JSONValue, into object: JSONSpan, after index: Int?
    ) {
        let members = object.members
        guard let first = members.first else {
            let indent = document.lineIndent(containing: object.start)
            let inner = indent + document.unit
            let member = InlineJSON.key(of: key) + document.render(value, key: key, indent: inner, multiline: true)
            splice(
                document, object.start..<object.end,
                "{" + document.newline + inner + member + document.newline + indent + "}")
            return
        }
        let multiline = document.startsLine(first.keyStart)
        let indent = multiline ? (document.indentBefore(first.keyStart) ?? "") : ""
        let member = InlineJSON.key(of: key) + document.render(value, key: key, indent: indent, multiline: multiline)
        let separator = multiline ? "," + document.newline + indent : ", "
        if let index {
            let at = members[index].value.end
            splice(document, at..<at, separator + member)
        } else {
            splice(document, first.keyStart..<first.keyStart, member + separator)
        }
    }

    /// The member a new `key` goes after: the last one that comes before it in the documented
    /// order; a key the documentation does not know goes last.
    static func predecessor(of key: String, in object: JSONSpan) -> Int? {
        let order = InstanceConfig.keys
        guard let rank = order.firstIndex(of: key) else { return object.members.indices.last }
        return object.members.lastIndex { member in order.firstIndex(of: member.key).map { $0 < rank } ?? false }
    }
}

/// One scan of the text: its bytes, the span tree, and the file's habits (line end, indent unit).
private struct Document {
    let bytes: [UInt8]
    let root: JSONSpan
    let newline: String
    let unit: String

    init(_ text: String) throws(ConfigEditError) {
        do {
            _ = try JSONReader.parse(text)
        } catch {
            throw ConfigEditError("the file does not parse (\(error.position): \(error.message))")
        }
        bytes = Array(text.utf8)
        guard let root = JSONSpanScanner.scan(bytes), root.isObject else {
            throw ConfigEditError("the file is not a JSON object")
        }
        self.root = root
        newline = zip(bytes, bytes.dropFirst()).contains { $0 == 13 && $1 == 10 } ? "\r\n" : "\n"
        // The indent unit is what the first top-level key is indented by; two spaces otherwise.
        var unit = "  "
        if let first = root.members.first, let indent = Self.indent(bytes, before: first.keyStart), !indent.isEmpty {
            unit = indent
        }
        self.unit = unit
    }

    func instances() throws(ConfigEditError) -> JSONSpan {
        guard let list = root.member("instances")?.value, list.isArray else {
            throw ConfigEditError("the file has no \"instances\" list")
        }
        return list
    }

    func instanceIndex(_ name: String, in list: JSONSpan) throws(ConfigEditError) -> Int {
        guard let index = list.elements.firstIndex(where: { decode($0.member("name")?.value)?.stringValue == name })
        else { throw ConfigEditError("no instance named \"\(name)\" in the file") }
        return index
    }

    func instance(_ name: String) throws(ConfigEditError) -> JSONSpan {
        let list = try instances()
        return list.elements[try instanceIndex(name, in: list)]
    }

    func decode(_ span: JSONSpan?) -> JSONValue? {
        guard let span else { return nil }
        return try? JSONReader.parseValue(String(decoding: bytes[span.start..<span.end], as: UTF8.self))
    }

    /// Whether only spaces and tabs stand between the start of its line and `offset`.
    func startsLine(_ offset: Int) -> Bool {
        indentBefore(offset) != nil
    }

    /// The spaces and tabs before `offset` when nothing else precedes it on its line.
    func indentBefore(_ offset: Int) -> String? {
        Self.indent(bytes, before: offset)
    }

    static func indent(_ bytes: [UInt8], before offset: Int) -> String? {
        var start = offset
        while start > 0, bytes[start - 1] == UInt8(ascii: " ") || bytes[start - 1] == UInt8(ascii: "\t") {
            start -= 1
        }
        guard start == 0 || bytes[start - 1] == UInt8(ascii: "\n") else { return nil }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// The leading spaces and tabs of the line that holds `offset`.
    func lineIndent(containing offset: Int) -> String {
        var start = offset
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// What to cut to take item `index` out of a list of `(start, end)` items: the separator
    /// before it (or after it, for the first), so the lines around stay as they were. The only
    /// item leaves the container empty (`{}` or `[]`).
    func removalRange(of index: Int, in items: [(start: Int, end: Int)], _ container: JSONSpan) -> Range<Int> {
        if items.count == 1 { return (container.start + 1)..<(container.end - 1) }
        if index > 0 { return items[index - 1].end..<items[index].end }
        return items[0].start..<items[1].start
    }

    /// A value for the member whose key starts at `keyStart`: `env` over lines when the
    /// instance's members are on lines of their own, everything else on one line.
    func render(_ value: JSONValue, key: String, at keyStart: Int, in object: JSONSpan) -> String {
        let indent = indentBefore(keyStart)
        return render(value, key: key, indent: indent ?? "", multiline: indent != nil)
    }

    func render(_ value: JSONValue, key: String, indent: String, multiline: Bool) -> String {
        if multiline, key == "env", case .object(let object) = value {
            return InlineJSON.renderLines(object, indent: indent, unit: unit, newline: newline)
        }
        return InlineJSON.render(value)
    }

    /// A new instance over lines: its members at `indent + unit`, `env` over lines below them.
    func renderInstance(_ instance: JSONObject, indent: String, unit: String) -> String {
        let inner = indent + unit
        let lines = instance.members.map { member -> String in
            var value = InlineJSON.render(member.value)
            if member.key == "env", case .object(let env) = member.value {
                value = InlineJSON.renderLines(env, indent: inner, unit: unit, newline: newline)
            }
            return inner + InlineJSON.key(of: member.key) + value
        }
        return "{" + newline + lines.joined(separator: "," + newline) + newline + indent + "}"
    }
}
