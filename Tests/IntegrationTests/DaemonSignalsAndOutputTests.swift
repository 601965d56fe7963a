import Foundation
import XCTest

/// Signals fom does nothing on do not end it; a daemon started in the background does not write
/// its events a second time into `.fom/daemon.out`, which would only grow; the holder of a
/// port is named on one line.
final class DaemonSignalsAndOutputTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testSigusr1AndSigusr2DoNotEndTheDaemon() throws {
        harness = try FomHarness(
            config:
                #"{ "instances": [{"name": "x", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3013"]}] }"#
        )
        let h = harness!
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGUSR1)
        kill(daemon, SIGUSR2)
        h.waitUntil("both are logged") {
            h.read(".fom/logs/fom.log").components(separatedBy: "fom does nothing on it").count == 3
        }
        XCTAssertTrue(FomHarness.isAlive(daemon))
        XCTAssertEqual(h.fom("ping").code, 0)
    }

    func testBackgroundDaemonKeepsEventsOutOfDaemonOut() throws {
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "crasher", "kind": "process", "backoff": {"initial": "50ms", "max": "50ms"},
                  "maxRestarts": 20, "command": ["/bin/sh", "-c", "echo boom; exit 3"]}] }
                """)
        let h = harness!
        h.fom("start", "--no-wait")
        h.waitUntil("the crash loop ends") { h.status("crasher") == "errored" }
        XCTAssertGreaterThan(h.read(".fom/logs/fom.log").split(separator: "\n").count, 20)
        XCTAssertEqual(h.read(".fom/daemon.out"), "", "events go to fom.log only, which rotates")
    }

    func testPortHolderWithAMultiLineCommandIsNamedOnOneLine() throws {
        let port = try Self.freePort()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', \(port)))\ns.listen()\n"
                + String(repeating: "# padding\n", count: 40) + "time.sleep(120)",
        ]
        try holder.run()
        defer { holder.terminate() }
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "web", "kind": "process", "port": \(port), "maxRestarts": 0,
                  "command": ["/bin/sh", "-c", "exec sleep 3014"]}] }
                """)
        let h = harness!
        h.waitUntil("the holder listens") { Self.isListening(port) }
        h.fom("start", "web")
        h.waitUntil("web errored") { h.status("web") == "errored" }
        let reason = h.list()["web"]?["reason"] as? String ?? ""
        XCTAssertTrue(reason.contains("PID \(holder.processIdentifier)"), reason)
        XCTAssertFalse(reason.contains("\n"), reason)
        XCTAssertTrue(reason.contains("\\n"), reason)
        XCTAssertLessThan(reason.count, 250, reason)
    }

    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func freePort() throws -> Int { FomHarness.freePort() }
}
