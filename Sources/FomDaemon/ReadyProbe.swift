import FomCore
import SystemKit

/// The ready check of a starting instance: a TCP connect, or an HTTP GET that must answer 200.
/// Each attempt is a non-blocking socket driven by the event loop; between attempts it waits.
final class ReadyProbe {
    enum Kind { case tcp(port: Int), http(port: Int, path: String) }
    enum Progress { case pending, ready }

    let kind: Kind
    let host: String
    private(set) var fd: Int32 = -1
    private var sent = false
    private var response: [UInt8] = []
    /// Why the last attempt did not count, for `fom doctor`.
    private(set) var lastFailure = ""
    /// When the next attempt starts (no socket open) or the current one gives up (socket open).
    private(set) var deadline: Instant
    static let interval: Duration = .milliseconds(100)
    static let attemptTimeout: Duration = .seconds(2)

    init(kind: Kind, host: String, now: Instant) {
        self.kind = kind
        self.host = host == "0.0.0.0" ? "127.0.0.1" : host
        self.deadline = now
    }

    deinit { close() }

    private var port: Int {
        switch kind {
        case .tcp(let port), .http(let port, _): return port
        }
    }

    /// Called when the deadline has passed: start an attempt, or abandon a slow one.
    /// Returns the descriptor to watch for writability when an attempt starts.
    func timerFired(now: Instant) -> Int32? {
        if fd >= 0 {
            close()
            lastFailure = "no answer within \(Self.attemptTimeout.humanReadable)"
            deadline = now + Self.interval
            return nil
        }
        guard let socket = Sockets.startConnect(host: host, port: port) else {
            lastFailure = "cannot connect"
            deadline = now + Self.interval
            return nil
        }
        fd = socket
        sent = false
        response = []
        deadline = now + Self.attemptTimeout
        return fd
    }

    /// The socket became writable (connected or failed) or readable (response).
    /// Returns `.ready`, or `.pending` with `wantRead` telling how to watch it now.
    func socketEvent(now: Instant) -> (Progress, wantRead: Bool) {
        guard fd >= 0 else { return (.pending, false) }
        if !sent {
            let error = Sockets.connectResult(fd)
            if error != 0 { return fail(now, SystemError("connect", errno: error).description) }
            switch kind {
            case .tcp:
                close()
                return (.ready, false)
            case .http(let port, let path):
                let request =
                    "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nUser-Agent: fom\r\n\r\n"
                let bytes = Array(request.utf8)
                // A request this small fits any socket buffer: anything short of all of it is a failure.
                guard case .sent(let n) = bytes.withUnsafeBytes({ Sockets.send(fd, $0) }), n == bytes.count else {
                    return fail(now, "the request could not be sent")
                }
                sent = true
                return (.pending, true)
            }
        }
        guard let chunk = try? FileDescriptor.read(fd, max: 4096) else { return (.pending, true) }
        if chunk.isEmpty { return fail(now, "the connection closed without an answer") }
        response.append(contentsOf: chunk)
        guard let lineEnd = response.firstIndex(of: 13) ?? response.firstIndex(of: 10) else {
            return response.count > 4096 ? fail(now, "no HTTP status line") : (.pending, true)
        }
        let statusLine = String(decoding: response[..<lineEnd], as: UTF8.self).split(separator: " ")
        if statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), statusLine[1] == "200" {
            close()
            return (.ready, false)
        }
        return fail(now, "answered \(statusLine.prefix(3).joined(separator: " ")), not 200")
    }

    private func fail(_ now: Instant, _ why: String) -> (Progress, wantRead: Bool) {
        lastFailure = why
        close()
        deadline = now + Self.interval
        return (.pending, false)
    }

    func close() {
        FileDescriptor.close(fd)
        fd = -1
    }
}
