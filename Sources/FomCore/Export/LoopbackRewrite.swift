/// `127.0.0.1:PORT` and `localhost:PORT` in a value, where PORT belongs to another instance,
/// become that instance's service name: in a cluster or in compose, each instance has its own
/// address and the other ones are reached by name.
public struct LoopbackRewrite: Sendable {
    /// Port -> service name of the instance that serves it.
    let services: [Int: String]

    public init(services: [Int: String]) { self.services = services }

    static let hosts = ["127.0.0.1", "localhost"]

    /// The value rewritten, and each `from -> to` done. `ownService` is left alone: inside its own
    /// container, loopback still reaches itself.
    public func apply(_ value: String, ownService: String?) -> (value: String, changes: [String]) {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        var changes: [String] = []
        var i = 0
        scan: while i < bytes.count {
            for host in Self.hosts {
                let h = Array(host.utf8)
                guard i + h.count < bytes.count, bytes[i..<(i + h.count)].elementsEqual(h),
                    bytes[i + h.count] == UInt8(ascii: ":"), i == 0 || !Self.isHostCharacter(bytes[i - 1])
                else { continue }
                var end = i + h.count + 1
                while end < bytes.count, Self.isDigit(bytes[end]) { end += 1 }
                let digits = bytes[(i + h.count + 1)..<end]
                guard !digits.isEmpty, digits.count <= 5, end == bytes.count || !Self.isHostCharacter(bytes[end]),
                    let port = Int(String(decoding: digits, as: UTF8.self)), let service = services[port],
                    service != ownService
                else { continue }
                let replacement = "\(service):\(port)"
                changes.append("\(host):\(port) -> \(replacement)")
                out += replacement.utf8
                i = end
                continue scan
            }
            out.append(bytes[i])
            i += 1
        }
        return (String(decoding: out, as: UTF8.self), changes)
    }

    /// Whether a loopback address is still in `value` (it will not reach the host from a container).
    public static func mentionsLoopback(_ value: String) -> Bool {
        hosts.contains { value.contains($0) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    static func isHostCharacter(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "-")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
    }
}
