/// The bounds a request must stay within; anything past them is answered with an error status
/// and the connection closed, and the server goes on.
public struct HTTPLimits: Sendable {
    public var requestLineBytes = 8192
    public var headerCount = 64
    /// All header lines together.
    public var headerBytes = 16384
    public var bodyBytes = 65536
    /// A connection that sends nothing (or never completes its request) for this long is closed.
    public var idleMilliseconds: Int64 = 30_000
    public var connections = 64
    /// A connection that has not yet made a request the token admits must complete one this
    /// soon: a crowd of silent sockets cannot hold the server for the idle limit.
    public var headerMilliseconds: Int64 = 5_000
    /// How many such connections may wait at once; past this (or past `connections`) the oldest
    /// of them is closed to make room, so a client with the token is always let in.
    public var pendingConnections = 16

    public init() {}
}

/// An incremental HTTP/1.1 request parser: bytes go in as they arrive, complete requests come
/// out. Pure (no descriptors), so malformed, oversized and slow requests are unit-tested.
public struct HTTPRequestParser: Sendable {
    public enum Result: Sendable, Equatable {
        /// More bytes are needed.
        case incomplete
        case request(HTTPRequest)
        /// The status to answer with (400, 413, 414, 431, 501, 505) and why; the connection ends.
        case failure(status: Int, reason: String)
    }

    public let limits: HTTPLimits
    private var buffer: [UInt8] = []
    private var failed: Result?

    public init(limits: HTTPLimits = HTTPLimits()) { self.limits = limits }

    /// Bytes received and not yet part of a returned request.
    public var pending: Int { buffer.count }

    public mutating func feed(_ bytes: [UInt8]) {
        if failed == nil { buffer.append(contentsOf: bytes) }
    }

    /// The next complete request, if the buffer holds one (pipelined requests come one by one).
    public mutating func next() -> Result {
        if let failed { return failed }
        let result = parse()
        if case .failure = result { failed = result; buffer = [] }
        return result
    }

    private mutating func parse() -> Result {
        // Tolerate empty lines before a request (RFC 9112 2.2).
        while buffer.starts(with: [13, 10]) { buffer.removeFirst(2) }
        while buffer.first == 10 { buffer.removeFirst() }
        guard let lineEnd = buffer.firstIndex(of: 10) else {
            if buffer.count > limits.requestLineBytes { return .failure(status: 414, reason: "request line too long") }
            return .incomplete
        }
        if lineEnd > limits.requestLineBytes { return .failure(status: 414, reason: "request line too long") }
        let requestLine = Self.text(buffer[..<lineEnd])
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(status: 400, reason: "malformed request line")
        }
        let method = String(parts[0])
        let target = String(parts[1])
        let version = String(parts[2])
        guard method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return .failure(status: 400, reason: "malformed method")
        }
        guard target.hasPrefix("/"), target.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return .failure(status: 400, reason: "malformed request target")
        }
        guard version.hasPrefix("HTTP/") else { return .failure(status: 400, reason: "malformed version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failure(status: 505, reason: "HTTP version not supported")
        }

        // Headers, up to the empty line.
        var headers: [(name: String, value: String)] = []
        var position = lineEnd + 1
        var headerBytes = 0
        while true {
            guard let end = buffer[position...].firstIndex(of: 10) else {
                if buffer.count - position + headerBytes > limits.headerBytes {
                    return .failure(status: 431, reason: "headers too large")
                }
                return .incomplete
            }
            let line = Self.text(buffer[position..<end])
            headerBytes += end - position + 1
            position = end + 1
            if headerBytes > limits.headerBytes { return .failure(status: 431, reason: "headers too large") }
            if line.isEmpty { break }
            if headers.count == limits.headerCount { return .failure(status: 431, reason: "too many headers") }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                return .failure(status: 400, reason: "malformed header line")
            }
            let name = String(line[..<colon])
            // No whitespace before the colon (RFC 9112 5.1), token characters only.
            guard name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") })
            else { return .failure(status: 400, reason: "malformed header name") }
            let value = line[line.index(after: colon)...].trimmingSpaces
            headers.append((name, value))
        }
        let lowered = headers.map { $0.name.lowercased() }
        if lowered.contains("transfer-encoding") {
            return .failure(status: 501, reason: "transfer-encoding is not supported; send Content-Length")
        }
        if version == "HTTP/1.1", !lowered.contains("host") { return .failure(status: 400, reason: "missing Host") }
        if lowered.filter({ $0 == "host" }).count > 1 { return .failure(status: 400, reason: "more than one Host") }
        var length = 0
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        if let first = lengths.first {
            guard Set(lengths).count == 1, let n = Int(first), n >= 0, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
            else { return .failure(status: 400, reason: "malformed Content-Length") }
            if n > limits.bodyBytes { return .failure(status: 413, reason: "body too large") }
            length = n
        }
        guard buffer.count - position >= length else { return .incomplete }
        let body = Array(buffer[position..<(position + length)])
        buffer.removeFirst(position + length)
        return .request(HTTPRequest(method: method, target: target, version: version, headers: headers, body: body))
    }

    /// A line without its CR; bytes that are not UTF-8 become U+FFFD.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        if slice.last == 13 { slice.removeLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
