/// The servers a `FIFTYONE_DATABASE_URI` names: `mongodb://[user:pass@]host[:port][,host[:port]...]/...`.
/// `mongodb+srv://` names a DNS record instead, which doctor does not resolve.
public enum MongoURI {
    public struct Server: Sendable, Equatable {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public enum Parsed: Sendable, Equatable {
        case servers([Server])
        case srv(host: String)
        case invalid(String)
    }

    public static func parse(_ uri: String) -> Parsed {
        let plain = "mongodb://"
        let srv = "mongodb+srv://"
        let lower = uri.lowercased()
        let rest: Substring
        if lower.hasPrefix(srv) {
            rest = uri.dropFirst(srv.count)
        } else if lower.hasPrefix(plain) {
            rest = uri.dropFirst(plain.count)
        } else {
            return .invalid("does not start with mongodb:// or mongodb+srv://")
        }
        var hosts = rest[..<(rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex)]
        if let at = hosts.lastIndex(of: "@") { hosts = hosts[hosts.index(after: at)...] }
        if lower.hasPrefix(srv) { return .srv(host: String(hosts)) }
        var servers: [Server] = []
        for part in hosts.split(separator: ",") {
            var host = part
            var port = 27017
            if part.hasPrefix("["), let close = part.firstIndex(of: "]") {
                host = part[part.index(after: part.startIndex)..<close]
                let after = part[part.index(after: close)...]
                if after.hasPrefix(":") {
                    guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                        return .invalid("has a bad port in \"\(part)\"")
                    }
                    port = p
                }
            } else if let colon = part.lastIndex(of: ":") {
                host = part[..<colon]
                guard let p = Int(part[part.index(after: colon)...]), (1...65535).contains(p) else {
                    return .invalid("has a bad port in \"\(part)\"")
                }
                port = p
            }
            guard !host.isEmpty else { return .invalid("has an empty host") }
            servers.append(Server(host: String(host), port: port))
        }
        return servers.isEmpty ? .invalid("names no host") : .servers(servers)
    }
}
