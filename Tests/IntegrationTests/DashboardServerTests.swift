import Foundation
import XCTest

/// The HTTP server of `fom ui` over real sockets: a malformed request gets 400 and the server
/// goes on; revealing a secret needs the instance named again and is written to fom.log without
/// the value; the API answers as the CLI's --json does, masking a value that holds a secret too.
final class DashboardServerTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func startUI() throws -> (h: FomHarness, port: Int, token: String) {
        let h = try FomHarness(
            config: """
                {"instances": [
                  {"name": "synced", "kind": "process", "cvatSync": true, "command": ["/bin/sh", "-c", "exec sleep 100000"],
                   "env": {"DB_URL": "mongodb://bob:${CVAT_PASSWORD}@h/x"}}
                ]}

                """)
        harness = h
        try h.write(".env", "CVAT_URL=http://cvat.test:8080\nCVAT_USERNAME=annotator\nCVAT_PASSWORD=s3cret-value\n")
        XCTAssertEqual(h.fom("start").code, 0)
        try h.startInBackground(["ui", "--port", "0"], stdout: "ui.out", stderr: "ui.err")
        var url = ""
        _ = h.waitUntil("fom ui prints its URL") {
            url =
                h.read("ui.out").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("http://127.0.0.1:") } ?? ""
            return !url.isEmpty
        }
        let rest = url.dropFirst("http://127.0.0.1:".count)
        let port = Int(rest.prefix { $0.isNumber }) ?? 0
        let token = String(url.split(separator: "=").last ?? "")
        return (h, port, token)
    }

    /// Sends raw bytes on a new connection and reads until the server closes or `until` is seen.
    func exchange(_ port: Int, _ text: String, until: String? = nil) -> String {
        let fd = silentConnection(port)
        defer { close(fd) }
        guard fd >= 0 else { return "connect failed" }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer.append(contentsOf: buffer[0..<n])
            if let until, String(decoding: answer, as: UTF8.self).contains(until) { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// A TCP connection to the server that sends nothing (yet), reads time out after 20 s; -1
    /// when the connect failed.
    func silentConnection(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    func testThePageIsServedWithTheTokenWhileSilentConnectionsCrowdTheServer() throws {
        let (_, port, token) = try startUI()
        // 50 silent connections, then more than the server's 64 connections in all.
        var silent = (0..<50).map { _ in silentConnection(port) }
        defer { silent.forEach { close($0) } }
        let page = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        XCTAssertTrue(exchange(port, page, until: "</html>").hasPrefix("HTTP/1.1 200"))
        silent += (0..<40).map { _ in silentConnection(port) }
        // The scheme is case-insensitive.
        let lower = page.replacingOccurrences(of: "Bearer", with: "bearer")
        XCTAssertTrue(exchange(port, lower, until: "</html>").hasPrefix("HTTP/1.1 200"))
        // A silent connection is closed: the oldest to make room, the newest at the header deadline.
        var buffer = [UInt8](repeating: 0, count: 16)
        for fd in [silent[0], silent[silent.count - 1]] {
            XCTAssertEqual(recv(fd, &buffer, buffer.count, 0), 0, "the server closed a silent connection")
        }
        // Without the token the page is still refused.
        let refused = exchange(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 401"), refused)
    }

    func testAMalformedRequestGets400AndTheServerGoesOn() throws {
        let (_, port, token) = try startUI()
        for garbage in [
            "GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
            "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n\r\n",
        ] {
            let answer = exchange(port, garbage)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400") || answer.hasPrefix("HTTP/1.1 414"), answer)
        }
        let big = exchange(
            port, "POST /api/add HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 10000000\r\n\r\n")
        XCTAssertTrue(big.hasPrefix("HTTP/1.1 413"), big)
        let list = exchange(
            port,
            "GET /api/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        )
        XCTAssertTrue(list.hasPrefix("HTTP/1.1 200"), list)
        XCTAssertTrue(list.contains("\"name\":\"synced\""), list)
        let rebound = exchange(
            port,
            "GET /api/list HTTP/1.1\r\nHost: attacker.example:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        )
        XCTAssertTrue(rebound.hasPrefix("HTTP/1.1 421"), rebound)
    }

    func testRevealingASecretNeedsTheInstanceNamedAgainAndIsLoggedWithoutTheValue() throws {
        let (h, port, token) = try startUI()
        func post(_ body: String) -> String {
            exchange(
                port,
                "POST /api/env/synced/reveal HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nX-Fom: 1\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
        }
        let masked = exchange(
            port,
            "GET /api/env/synced HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        )
        XCTAssertTrue(masked.contains("FIFTYONE_CVAT_PASSWORD"), masked)
        XCTAssertTrue(masked.contains(#""DB_URL":"********""#), masked)
        XCTAssertFalse(masked.contains("s3cret-value"), masked)
        let unconfirmed = post("{}")
        XCTAssertTrue(unconfirmed.hasPrefix("HTTP/1.1 400"), unconfirmed)
        XCTAssertFalse(unconfirmed.contains("s3cret-value"))
        let revealed = post("{\"confirm\": \"synced\"}")
        XCTAssertTrue(revealed.hasPrefix("HTTP/1.1 200"), revealed)
        XCTAssertTrue(revealed.contains("s3cret-value"), revealed)
        XCTAssertTrue(revealed.contains("mongodb://bob:s3cret-value@h/x"), revealed)
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("ui: the secrets of synced's environment were revealed"), log)
        XCTAssertFalse(log.contains("s3cret-value"), log)
    }
}
