/// The MongoDB that the file's FiftyOne instances share, found as the default file has it: a
/// process instance whose program is `mongod`. `fom add` wires a new FiftyOne instance to it.
public struct MongoDBInstance: Sendable, Equatable {
    public let name: String
    /// `mongodb://ADDRESS:PORT`, where a FiftyOne instance on this host reaches it.
    public let uri: String

    public init(name: String, uri: String) {
        self.name = name
        self.uri = uri
    }

    /// The file's MongoDB when there is exactly one; nil when there is none or several.
    public static func find(in instances: [InstanceConfig]) -> MongoDBInstance? {
        let found = all(in: instances)
        return found.count == 1 ? found[0] : nil
    }

    /// Every process instance that runs `mongod`, in file order.
    public static func all(in instances: [InstanceConfig]) -> [MongoDBInstance] {
        instances.compactMap { instance in
            guard instance.kind == .process, let program = instance.command.first,
                program.split(separator: "/").last == "mongod"
            else { return nil }
            var values = ["name": instance.name, "address": instance.address]
            if let port = instance.port { values["port"] = String(port) }
            let argv = instance.command.map { CommandTemplate.expand($0, values) }
            // mongod's own defaults: port 27017; it listens on localhost unless told otherwise.
            let port = option("--port", in: argv).flatMap { Int($0) } ?? instance.port ?? 27017
            var address = option("--bind_ip", in: argv).map { String($0.split(separator: ",").first ?? "") }
            if argv.contains("--bind_ip_all") { address = "0.0.0.0" }
            let reachable = reachableAddress(address ?? "127.0.0.1")
            return MongoDBInstance(name: instance.name, uri: "mongodb://\(reachable):\(port)")
        }
    }

    /// The value of `--name VALUE` or `--name=VALUE`.
    static func option(_ name: String, in argv: [String]) -> String? {
        for (index, argument) in argv.enumerated() {
            if argument == name, index + 1 < argv.count { return argv[index + 1] }
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// A server that listens on every interface is reached on the loopback.
    static func reachableAddress(_ address: String) -> String {
        address.isEmpty || address == "0.0.0.0" ? "127.0.0.1" : address
    }
}
