import FomCore
import FomProtocol
import Foundation
import SystemKit
import XCTest

@testable import FomWeb

/// The server's bounds over real sockets, the loop driven step by step on the test's thread:
/// a slow request is cut off at the header deadline with 408, silent connections past their
/// budget are closed oldest first so a client with the token is served, a server full of
/// admitted clients answers 503, a malformed request gets 400 and the next client is served.
final class WebServerBoundsTests: XCTestCase {
    final class FakeBackend: DashboardBackend {
        var watchDescriptor: Int32? { nil }
        func receiveWatch() -> Bool { false }
        func reconnectWatch() -> Bool { false }
        func rows() -> [InstanceInfo] { [InstanceInfo(id: 0, name: "a", kind: "process", status: .online, pid: 1)] }
        func command(_ words: [String]) -> (
            executable: String, arguments: [String], environment: [String], directory: String
        ) { ("/bin/echo", ["echo", "{}"], [], "/") }
        func openLogs(_ instance: String) -> LogFollowing? { nil }
        func record(_ message: String) {}
    }

    var server: WebServer!
    var port = 0
    let token = "tok"

    override func setUpWithError() throws {
        try makeServer(idleMilliseconds: 300)
    }

    func makeServer(idleMilliseconds: Int64) throws {
        let listener = try Sockets.listenTCP(host: "127.0.0.1", port: 0)
        port = Sockets.localPort(listener) ?? 0
        var limits = HTTPLimits()
        limits.idleMilliseconds = idleMilliseconds
        limits.headerMilliseconds = 300
        limits.connections = 3
        limits.pendingConnections = 2
        server = try WebServer(
            listener: listener, security: WebSecurity(token: token, address: "127.0.0.1", port: port), limits: limits,
            backend: FakeBackend())
    }

    func connectClient() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    func sendText(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Steps the server until the client has read `marker` or the connection closed; the text read.
    func answer(_ fd: Int32, containing marker: String, seconds: Double = 5) -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            server.step(maxWaitMs: 20)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) }
            if n == 0 || text.contains(marker) { break }
        }
        return text
    }

    func testASlowRequestIsCutOffWith408AtTheHeaderDeadline() {
        let fd = connectClient()
        defer { close(fd) }
        sendText(fd, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n")  // and never the end
        let started = Date()
        let text = answer(fd, containing: "\r\n\r\n")
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 408"), text)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.25)
    }

    func testSilentConnectionsPastTheirBudgetAreClosedOldestFirstAndTheTokenIsServed() {
        let silent = (0..<6).map { _ in connectClient() }
        defer { silent.forEach { close($0) } }
        for _ in 0..<5 { server.step(maxWaitMs: 20) }
        XCTAssertEqual(server.connectionCount, 2, "the pending budget")
        // The oldest silent ones were closed: their reads end.
        XCTAssertEqual(answer(silent[0], containing: "\r\n\r\n"), "")
        let client = connectClient()
        defer { close(client) }
        sendText(client, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: bearer tok\r\n\r\n")
        let metrics = answer(client, containing: "fom_instance_start_time_seconds")
        XCTAssertTrue(metrics.hasPrefix("HTTP/1.1 200"), metrics)
    }

    func testAServerFullOfAdmittedClientsAnswers503() throws {
        try makeServer(idleMilliseconds: 30_000)
        var admitted: [Int32] = []
        defer { admitted.forEach { close($0) } }
        for _ in 0..<3 {
            let fd = connectClient()
            admitted.append(fd)
            sendText(fd, "GET /api/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer tok\r\n\r\n")
            XCTAssertTrue(answer(fd, containing: "{}").hasPrefix("HTTP/1.1 200"))
        }
        let extra = connectClient()
        defer { close(extra) }
        XCTAssertTrue(answer(extra, containing: "\r\n\r\n").hasPrefix("HTTP/1.1 503"))
        XCTAssertEqual(server.connectionCount, 3)
    }

    func testASilentConnectionIsClosedAtTheHeaderDeadline() {
        let fd = connectClient()
        defer { close(fd) }
        let started = Date()
        XCTAssertEqual(answer(fd, containing: "\r\n\r\n"), "", "closed without an answer")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.25)
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testAMalformedRequestGets400AndTheNextClientIsServed() {
        let bad = connectClient()
        defer { close(bad) }
        sendText(bad, "NOT HTTP AT ALL\r\n\r\n")
        XCTAssertTrue(answer(bad, containing: "\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        let good = connectClient()
        defer { close(good) }
        sendText(good, "GET /api/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer tok\r\n\r\n")
        let text = answer(good, containing: "{}")
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
    }
}
