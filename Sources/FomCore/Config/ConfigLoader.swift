/// Walks the parsed supervisor.json, filling in a `SupervisorConfig` and collecting every problem
/// with the position of the value (or key) at fault. Each check reports and carries on, so one
/// run of `fom validate` shows everything that is wrong.
struct ConfigLoader {
    let file: String
    private var config: SupervisorConfig
    private var diagnostics: [ConfigDiagnostic] = []

    /// One parsed instance and the node it came from, for the checks across instances.
    private struct Draft {
        var instance: InstanceConfig
        let path: String
        let node: JSONNode
    }

    init(file: String, config: SupervisorConfig) {
        self.file = file
        self.config = config
    }

    /// Every problem, in file order (stable for problems at the same spot); nil when there is none.
    var error: ConfigError? {
        guard !diagnostics.isEmpty else { return nil }
        let sorted = diagnostics.enumerated().sorted {
            ($0.element.position, $0.offset) < ($1.element.position, $1.offset)
        }
        return ConfigError(sorted.map(\.element))
    }

    mutating func load(_ root: JSONNode) -> SupervisorConfig {
        guard checkObject(root, "", keys: SupervisorConfig.keys) else { return config }
        if let node = root["envFile"], let value = nonEmptyString(node, "envFile") {
            config.envFile = resolve(value)
        }
        if let node = root["logs"] { loadLogs(node) }
        guard let node = root["instances"] else {
            report(root.position, "instances", "required (a list of instances, which may be empty)")
            return config
        }
        guard case .array(let items) = node.content else {
            typeError(node, "instances", expected: "an array")
            return config
        }
        var drafts: [Draft] = []
        for (index, item) in items.enumerated() {
            let path = "instances[\(index)]"
            if let instance = loadInstance(item, path) {
                drafts.append(Draft(instance: instance, path: path, node: item))
            }
        }
        checkAcrossInstances(drafts)
        config.instances = drafts.map(\.instance)
        return config
    }

    // MARK: sections

    private mutating func loadLogs(_ node: JSONNode) {
        guard checkObject(node, "logs", keys: ["dir", "maxSize", "keep", "timestamps"]) else { return }
        if let value = node["dir"].flatMap({ nonEmptyString($0, "logs.dir") }) { config.logs.dir = resolve(value) }
        if let value = node["maxSize"].flatMap({ size($0, "logs.maxSize") }) { config.logs.maxSize = value }
        if let value = node["keep"].flatMap({ integer($0, "logs.keep", minimum: 0, maximum: ConfigLimits.maxKeep) }) {
            config.logs.keep = value
        }
        if let value = node["timestamps"].flatMap({ bool($0, "logs.timestamps") }) { config.logs.timestamps = value }
    }

    private mutating func loadInstance(_ node: JSONNode, _ path: String) -> InstanceConfig? {
        guard checkObject(node, path, keys: InstanceConfig.keys) else { return nil }
        func at(_ key: String) -> String { member(path, key) }

        var name = ""
        if let nameNode = node["name"] {
            if let value = string(nameNode, at("name")) {
                if let problem = Self.nameProblem(value) {
                    report(nameNode.position, at("name"), problem)
                } else {
                    name = value
                }
            }
        } else {
            report(node.position, at("name"), "required")
        }

        // Defaults depend on the kind; with an unknown kind, skip the checks that depend on it.
        var kind = InstanceKind.fiftyone
        var kindKnown = true
        if let kindNode = node["kind"], let value = string(kindNode, at("kind")) {
            if let known = InstanceKind(rawValue: value) {
                kind = known
            } else {
                kindKnown = false
                let hint = NameSuggestion.hint(for: value, in: InstanceKind.allCases.map(\.rawValue))
                let help = hint.isEmpty ? "; use \"fiftyone\" or \"process\"" : hint
                report(kindNode.position, at("kind"), "unknown kind \"\(value)\"\(help)")
            }
        }
        var instance = InstanceConfig(name: name, kind: kind, configDirectory: config.directory)

        if let commandNode = node["command"] {
            if let argv = stringArray(commandNode, at("command")) {
                if argv.isEmpty {
                    report(commandNode.position, at("command"), "must not be empty")
                } else if argv[0].isEmpty {
                    report(elementPosition(commandNode, 0), at("command") + "[0]", "the program must not be empty")
                } else {
                    instance.command = argv
                }
            }
        } else if kind == .process, kindKnown {
            report(node.position, at("command"), "required for a process instance")
        }
        if let value = node["python"].flatMap({ nonEmptyString($0, at("python")) }) { instance.python = value }
        if let portNode = node["port"] {
            instance.port = port(portNode, at("port"))
        } else if kind == .fiftyone, kindKnown {
            report(node.position, at("port"), "required for a fiftyone instance")
        }
        if let addressNode = node["address"], let value = nonEmptyString(addressNode, at("address")) {
            // The port check and the ready probe speak IPv4; another address would be probed wrongly.
            if value == "localhost" || Self.isIPv4(value) {
                instance.address = value
            } else {
                report(
                    addressNode.position, at("address"),
                    "\"\(value)\" is not an IPv4 address (such as 127.0.0.1 or 0.0.0.0); IPv6 and host names are not supported yet"
                )
            }
        }
        if let value = node["cvatSync"].flatMap({ bool($0, at("cvatSync")) }) { instance.cvatSync = value }
        if let envNode = node["env"] { instance.env = loadEnv(envNode, at("env")) }
        if let value = node["cwd"].flatMap({ nonEmptyString($0, at("cwd")) }) { instance.cwd = resolve(value) }
        if let value = node["autostart"].flatMap({ bool($0, at("autostart")) }) { instance.autostart = value }
        if let restartNode = node["restart"], let value = string(restartNode, at("restart")) {
            if let policy = RestartPolicy(rawValue: value) {
                instance.restart = policy
            } else {
                let names = RestartPolicy.allCases.map(\.rawValue)
                let hint = NameSuggestion.hint(for: value, in: names)
                let help = hint.isEmpty ? "; use \"always\", \"on-failure\" or \"never\"" : hint
                report(restartNode.position, at("restart"), "unknown restart policy \"\(value)\"\(help)")
            }
        }
        if let value = node["maxRestarts"].flatMap({
            integer($0, at("maxRestarts"), minimum: 0, maximum: ConfigLimits.maxRestarts)
        }) {
            instance.maxRestarts = value
        }
        if let value = node["minUptime"].flatMap({ duration($0, at("minUptime"), allowZero: true) }) {
            instance.minUptime = value
        }
        if let backoffNode = node["backoff"], let value = loadBackoff(backoffNode, at("backoff")) {
            instance.backoff = value
        }
        if let signalNode = node["stopSignal"], let value = string(signalNode, at("stopSignal")) {
            do {
                instance.stopSignal = try Signal.parseStopSignal(value)
            } catch {
                report(signalNode.position, at("stopSignal"), error.message)
            }
        }
        if let value = node["killTimeout"].flatMap({ duration($0, at("killTimeout"), allowZero: false) }) {
            instance.killTimeout = value
        }
        if let readyNode = node["ready"], let value = loadReady(readyNode, at("ready"), port: instance.port) {
            instance.ready = value
        }
        if let value = node["readyTimeout"].flatMap({ duration($0, at("readyTimeout"), allowZero: false) }) {
            instance.readyTimeout = value
        }
        if let memoryNode = node["maxMemory"], !isNull(memoryNode) {
            instance.maxMemory = size(memoryNode, at("maxMemory"))
        }
        if let dependsNode = node["dependsOn"], let names = stringArray(dependsNode, at("dependsOn")) {
            instance.dependsOn = names
        }

        // `{port}` with no port would reach the program as the literal text "{port}".
        if instance.port == nil, let commandNode = node["command"] {
            for (index, argument) in instance.command.enumerated() where CommandTemplate.uses(argument, "port") {
                report(
                    elementPosition(commandNode, index), at("command") + "[\(index)]",
                    "{port} needs the instance's \"port\"")
            }
        }
        return instance
    }

    private mutating func loadEnv(_ node: JSONNode, _ path: String) -> [(key: String, value: String)] {
        guard case .object(let members) = node.content else {
            typeError(node, path, expected: "an object of variables")
            return []
        }
        var env: [(key: String, value: String)] = []
        for entry in members {
            let entryPath = member(path, entry.key)
            if entry.key.isEmpty {
                report(entry.keyPosition, path, "a variable name must not be empty")
                continue
            }
            if entry.key.contains("=") || entry.key.contains("\0") {
                report(entry.keyPosition, path, "invalid variable name \"\(entry.key)\": no '=' or NUL allowed")
                continue
            }
            // Numbers and booleans are taken as their text, as pm2's env does: `"PORT": 27017`.
            let value: String?
            switch entry.value.content {
            case .string: value = string(entry.value, entryPath)
            case .number(let number): value = number.text
            case .bool(let flag): value = flag ? "true" : "false"
            default:
                typeError(entry.value, entryPath, expected: "a string")
                value = nil
            }
            if let value { env.append((key: entry.key, value: value)) }
        }
        return env
    }

    private mutating func loadBackoff(_ node: JSONNode, _ path: String) -> Backoff? {
        guard checkObject(node, path, keys: ["initial", "max"]) else { return nil }
        let initial = node["initial"].flatMap { duration($0, member(path, "initial"), allowZero: false) }
        let max = node["max"].flatMap { duration($0, member(path, "max"), allowZero: false) }
        var backoff = Backoff()
        if let initial {
            backoff.initial = initial
            backoff.max = Swift.max(backoff.max, initial)  // a long initial alone raises the cap with it
        }
        if let max {
            backoff.max = max
            if max < backoff.initial, let maxNode = node["max"] {
                report(
                    maxNode.position, member(path, "max"),
                    "must be at least the initial delay (\(DurationText.format(backoff.initial)))")
                return nil
            }
        }
        return backoff
    }

    private mutating func loadReady(_ node: JSONNode, _ path: String, port instancePort: Int?) -> ReadyCheck? {
        let expected = "false, {\"http\": \"/path\"} or {\"tcp\": PORT}"
        switch node.content {
        case .bool(false):
            return ReadyCheck.none
        case .object(let members):
            guard checkObject(node, path, keys: ["http", "tcp"]) else { return nil }
            let httpNode = node["http"]
            let tcpNode = node["tcp"]
            switch (httpNode, tcpNode) {
            case (nil, nil):
                if members.allSatisfy({ ["http", "tcp"].contains($0.key) }) {
                    report(node.position, path, "needs \"http\" or \"tcp\"")
                }
                return nil
            case (_?, let tcpNode?):
                report(tcpNode.position, path, "use either \"http\" or \"tcp\", not both")
                return nil
            case (let httpNode?, nil):
                guard let value = nonEmptyString(httpNode, member(path, "http")) else { return nil }
                guard value.hasPrefix("/") else {
                    report(httpNode.position, member(path, "http"), "the path must start with '/' (e.g. \"/fiftyone\")")
                    return nil
                }
                if instancePort == nil {
                    report(httpNode.position, member(path, "http"), "an http check needs the instance's \"port\"")
                    return nil
                }
                return .http(path: value)
            case (nil, let tcpNode?):
                return port(tcpNode, member(path, "tcp")).map { ReadyCheck.tcp(port: $0) }
            }
        default:
            typeError(node, path, expected: expected)
            return nil
        }
    }

    // MARK: checks across instances

    private mutating func checkAcrossInstances(_ drafts: [Draft]) {
        var pathByName: [String: String] = [:]
        var nameByPort: [Int: String] = [:]
        for draft in drafts {
            let instance = draft.instance
            if !instance.name.isEmpty, let nameNode = draft.node["name"] {
                if let other = pathByName[instance.name] {
                    report(
                        nameNode.position, member(draft.path, "name"),
                        "duplicate name \"\(instance.name)\" (\(other) has it too)")
                } else {
                    pathByName[instance.name] = draft.path
                }
            }
            if let port = instance.port, let portNode = draft.node["port"] {
                if let other = nameByPort[port] {
                    report(
                        portNode.position, member(draft.path, "port"), "port \(port) is already used by \"\(other)\"")
                } else {
                    nameByPort[port] = instance.name
                }
            }
        }

        let names = drafts.map(\.instance.name).filter { !$0.isEmpty }
        let known = Set(names)
        for draft in drafts {
            guard let dependsNode = draft.node["dependsOn"] else { continue }
            var seen: Set<String> = []
            for (index, dependency) in draft.instance.dependsOn.enumerated() {
                let path = member(draft.path, "dependsOn") + "[\(index)]"
                let position = elementPosition(dependsNode, index)
                if dependency == draft.instance.name {
                    report(position, path, "\"\(dependency)\" cannot depend on itself")
                } else if !known.contains(dependency) {
                    let hint = NameSuggestion.hint(for: dependency, in: names)
                    report(position, path, "unknown instance \"\(dependency)\"\(hint)")
                } else if !seen.insert(dependency).inserted {
                    report(position, path, "\"\(dependency)\" is listed twice")
                }
            }
        }

        var firstDraft: [String: Draft] = [:]
        for draft in drafts where !draft.instance.name.isEmpty && firstDraft[draft.instance.name] == nil {
            firstDraft[draft.instance.name] = draft
        }
        let cycles = DependencyOrder.cycles(names: names) { firstDraft[$0]?.instance.dependsOn ?? [] }
        for cycle in cycles {
            // Reported at the dependsOn entry that closes the cycle.
            let closer = firstDraft[cycle[cycle.count - 2]]!
            let index = closer.instance.dependsOn.firstIndex(of: cycle[cycle.count - 1])!
            report(
                elementPosition(closer.node["dependsOn"]!, index),
                member(closer.path, "dependsOn") + "[\(index)]",
                "dependency cycle: " + cycle.joined(separator: " -> "))
        }
    }

    /// Why `name` cannot name an instance, or nil. Names become log file names and command
    /// arguments (`fom logs NAME`), so they stay plain and cannot be mistaken for an id or `all`.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > ConfigLimits.maxNameLength {
            return
                "is \(name.utf8.count) characters long; at most \(ConfigLimits.maxNameLength), so that its log files can be named"
        }
        let plain = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        if !plain { return "\"\(name)\" is not a valid name: use letters, digits, '_' and '-'" }
        if name == "all" { return "\"all\" is reserved: it means every instance" }
        if name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return "\"\(name)\" would be taken for an instance id; use a name with a letter"
        }
        return nil
    }

    // MARK: typed values

    private mutating func checkObject(_ node: JSONNode, _ path: String, keys: [String]) -> Bool {
        guard case .object(let members) = node.content else {
            typeError(node, path, expected: "an object")
            return false
        }
        for entry in members where !keys.contains(entry.key) {
            report(
                entry.keyPosition, path, "unknown key \"\(entry.key)\"" + NameSuggestion.hint(for: entry.key, in: keys))
        }
        return true
    }

    private mutating func string(_ node: JSONNode, _ path: String) -> String? {
        guard case .string(let value) = node.content else {
            typeError(node, path, expected: "a string")
            return nil
        }
        // Strings end up as C strings (argv, environment, paths), where NUL would cut them short.
        if value.utf8.contains(0) {
            report(node.position, path, "must not contain a NUL character")
            return nil
        }
        return value
    }

    private mutating func nonEmptyString(_ node: JSONNode, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        guard !value.isEmpty else {
            report(node.position, path, "must not be empty")
            return nil
        }
        return value
    }

    private mutating func stringArray(_ node: JSONNode, _ path: String) -> [String]? {
        guard case .array(let elements) = node.content else {
            typeError(node, path, expected: "an array of strings")
            return nil
        }
        var values: [String] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            if let value = string(element, path + "[\(index)]") { values.append(value) } else { valid = false }
        }
        return valid ? values : nil
    }

    private mutating func bool(_ node: JSONNode, _ path: String) -> Bool? {
        guard case .bool(let value) = node.content else {
            typeError(node, path, expected: "true or false")
            return nil
        }
        return value
    }

    private mutating func integer(_ node: JSONNode, _ path: String, minimum: Int, maximum: Int) -> Int? {
        guard case .number(let number) = node.content else {
            typeError(node, path, expected: "an integer")
            return nil
        }
        guard let value = number.intValue else {
            report(node.position, path, "expected an integer, found \(number.text)")
            return nil
        }
        guard value >= minimum else {
            report(node.position, path, "must be at least \(minimum), found \(value)")
            return nil
        }
        guard value <= maximum else {
            report(node.position, path, "must be at most \(maximum), found \(value)")
            return nil
        }
        return value
    }

    private mutating func port(_ node: JSONNode, _ path: String) -> Int? {
        guard case .number(let number) = node.content else {
            typeError(node, path, expected: "a port number")
            return nil
        }
        guard let value = number.intValue, (1...65535).contains(value) else {
            report(node.position, path, "port \(number.text) is outside 1-65535")
            return nil
        }
        return value
    }

    private mutating func duration(_ node: JSONNode, _ path: String, allowZero: Bool) -> Duration? {
        let value: Duration
        switch node.content {
        case .string(let text):
            do {
                value = try DurationText.parse(text)
            } catch {
                report(node.position, path, error.message)
                return nil
            }
        case .number(let number):
            report(node.position, path, "duration needs a unit: ms, s, m or h (e.g. \"\(number.text)s\")")
            return nil
        default:
            typeError(node, path, expected: "a duration such as \"5s\"")
            return nil
        }
        if value == .zero, !allowZero {
            report(node.position, path, "must be longer than 0")
            return nil
        }
        if value > ConfigLimits.maxDuration {
            report(
                node.position, path,
                "must be at most \(DurationText.format(ConfigLimits.maxDuration)), found \"\(DurationText.format(value))\""
            )
            return nil
        }
        return value
    }

    /// A size string (`"10M"`) or a plain number of bytes; always more than zero.
    private mutating func size(_ node: JSONNode, _ path: String) -> Int? {
        let value: Int
        switch node.content {
        case .string(let text):
            do {
                value = try SizeText.parse(text)
            } catch {
                report(node.position, path, error.message)
                return nil
            }
        case .number(let number):
            guard let bytes = number.intValue else {
                report(node.position, path, "expected a whole number of bytes, found \(number.text)")
                return nil
            }
            guard bytes >= 0 else {
                report(node.position, path, "size \(bytes) is negative")
                return nil
            }
            value = bytes
        default:
            typeError(node, path, expected: "a size such as \"10M\"")
            return nil
        }
        guard value > 0 else {
            report(node.position, path, "must be more than 0 bytes")
            return nil
        }
        guard value <= ConfigLimits.maxSize else {
            report(
                node.position, path,
                "must be at most \(SizeText.format(ConfigLimits.maxSize)), found \(SizeText.format(value))")
            return nil
        }
        return value
    }

    private func isNull(_ node: JSONNode) -> Bool {
        if case .null = node.content { return true }
        return false
    }

    // MARK: helpers

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && Int(part)! <= 255
            }
    }

    private mutating func report(_ position: JSONPosition, _ path: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, position: position, path: path, message: message))
    }

    private mutating func typeError(_ node: JSONNode, _ path: String, expected: String) {
        report(node.position, path, "expected \(expected), found \(node.kindDescription)")
    }

    private func resolve(_ path: String) -> String {
        PosixPath.absolute(path, base: config.directory)
    }

    private func elementPosition(_ node: JSONNode, _ index: Int) -> JSONPosition {
        guard case .array(let elements) = node.content, elements.indices.contains(index) else { return node.position }
        return elements[index].position
    }

    /// `path.key`, or `path["odd key"]` when the key is not a plain word.
    private func member(_ path: String, _ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
        if plain { return path.isEmpty ? key : path + "." + key }
        return path + "[" + JSONValue.string(key).serialized() + "]"
    }
}
