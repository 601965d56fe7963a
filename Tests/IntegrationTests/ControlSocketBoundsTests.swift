import Foundation
import XCTest

/// The control socket cannot exhaust the daemon: a client's unsent output and a request's work
/// are bounded, a client that half-closes is still answered, and the CLI gives up on a daemon
/// that does not answer with a clear message.
final class ControlSocketBoundsTests: XCTestCase {
    var harness: FomHarness!
    /// A daemon a test stopped with SIGSTOP: resumed whatever the test did, before the teardown.
    var stoppedDaemon: Int32?

    override func tearDown() {
        if let stoppedDaemon { kill(stoppedDaemon, SIGCONT) }
        stoppedDaemon = nil
        harness?.tearDown()
        harness = nil
    }

    func make() throws -> FomHarness {
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "idle", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 3005"],
                  "env": {"MULTI": "first\\nFIFTYONE_CVAT_URL=http://forged.example"}}] }
                """)
        return harness
    }

    func connect(_ h: FomHarness) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = h.path(".fom/fom.sock")
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        XCTAssertEqual(rc, 0)
        return fd
    }

    func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        var sent = 0
        var flags = fcntl(fd, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(fd, F_SETFL, flags)
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        return sent
    }

    func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ")[1]) ?? 0) * 1024
    }

    func testClientThatSendsAndNeverReadsHoldsOneAnswerNotAPile() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        let fd = connect(h)
        defer { close(fd) }
        // 100,000 describe requests, never read: the daemon reads the next only once the last
        // answer is out, so its memory does not follow the pile.
        let request = Array("{\"cmd\":\"describe\",\"targets\":[\"idle\"]}\n".utf8)
        var pile: [UInt8] = []
        for _ in 0..<100_000 { pile += request }
        _ = sendAll(fd, pile)
        XCTAssertEqual(h.fom("ping").code, 0, "everyone else is still served")
        XCTAssertLessThan(rss(daemon), 64 << 20, "daemon RSS \(rss(daemon))")
    }

    func testRequestNamingTooManyTargetsIsRefusedAtOnce() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        let targets = Array(repeating: "\"all\"", count: 170_000).joined(separator: ",")
        let answer = try h.rawExchange(Array("{\"cmd\":\"stop\",\"targets\":[\(targets)],\"wait\":false}\n".utf8))
        XCTAssertTrue(answer.contains("at most 10000"), answer)
        XCTAssertEqual(h.status("idle"), "online", "nothing was done")
        // Within the bound, repeated names cost one pass each, not one pass per name seen.
        let many = Array(repeating: "\"all\"", count: 10_000).joined(separator: ",")
        let list = try h.rawExchange(Array("{\"cmd\":\"start\",\"targets\":[\(many)],\"wait\":false}\n".utf8))
        XCTAssertTrue(list.contains("\"ok\":true"), list)
    }

    func testClientThatHalfClosesAfterItsRequestIsAnswered() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        let fd = connect(h)
        defer { close(fd) }
        let request = Array("{\"cmd\":\"stop\",\"targets\":[\"idle\"]}\n".utf8)
        XCTAssertEqual(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, request.count)
        shutdown(fd, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        XCTAssertTrue(text.contains("\"ok\":true") && text.contains("stopped"), text)
    }

    func testCommandsGiveUpOnAStoppedDaemonAndWhatGaveUpIsNotDoneWhenItResumes() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        guard let daemon = h.daemonPid(), let before = h.pid("idle") else { return XCTFail("no daemon or no pid") }
        // A watch that runs when the daemon stops: it hears no sample and gives up too.
        let watch = try h.startInBackground(
            ["list", "--watch", "--timeout", "3"], stdout: "watch.out", stderr: "watch.err")
        h.waitUntil("the watch shows the table") { h.read("watch.out").contains("idle") }
        kill(daemon, SIGSTOP)
        stoppedDaemon = daemon
        // Looking, pinging (which would start a daemon if it found none), changing and ending.
        let configBefore = h.read("supervisor.json")
        for args in [
            ["list"], ["ping"], ["stop", "idle"], ["describe", "idle"], ["list", "--watch"], ["monit"], ["kill"],
            ["add", "extra", "--kind", "process", "--", "sleep", "3006"],
        ] {
            // --timeout before a `--`, after which everything is the new instance's command.
            var withTimeout = args
            withTimeout.insert(contentsOf: ["--timeout", "2"], at: args.firstIndex(of: "--") ?? args.count)
            let result = h.run(withTimeout, timeout: 60)
            let said = args.joined(separator: " ") + ": " + result.out + result.err
            XCTAssertEqual(result.code, 1, said)
            XCTAssertTrue(result.err.contains("the daemon (pid \(daemon)) did not answer within 2s"), said)
            XCTAssertTrue(result.err.contains("it is stopped (state T") && result.err.contains("kill -CONT"), said)
        }
        XCTAssertEqual(h.read("supervisor.json"), configBefore, "add gave up before writing the file")
        h.waitUntil("the watch gave up", timeout: 60) { !watch.isRunning }
        XCTAssertEqual(watch.terminationStatus, 1)
        XCTAssertTrue(h.read("watch.err").contains("sent nothing on the watch stream for 3s"), h.read("watch.err"))
        XCTAssertEqual(h.fom("list", "--timeout", "forever").code, 2)

        kill(daemon, SIGCONT)
        stoppedDaemon = nil
        // The stop and the kill that gave up were not carried out behind their back.
        let ping = h.fom("ping", "--timeout", "20")
        XCTAssertEqual(ping.code, 0, ping.err)
        XCTAssertTrue(ping.out.contains("daemon pid \(daemon)"), ping.out)
        XCTAssertEqual(h.status("idle"), "online")
        XCTAssertEqual(h.pid("idle"), before)
        XCTAssertTrue(FomHarness.isAlive(daemon))
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains("idle: stopped"), h.read(".fom/logs/fom.log"))
    }

    func testEnvPrintsAMultiLineValueOnOneEscapedLine() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        let result = h.fom("env", "idle")
        XCTAssertEqual(result.code, 0, result.err)
        let lines = result.out.split(separator: "\n")
        XCTAssertFalse(lines.contains { $0.hasPrefix("FIFTYONE_CVAT_URL=") }, result.out)
        XCTAssertTrue(lines.contains("MULTI=\"first\\nFIFTYONE_CVAT_URL=http://forged.example\""), result.out)
    }

    func testAnotherUserIsToldItMayNotReachTheDaemon() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        // The config is readable by others; the runtime directory (0700) is not.
        chmod(h.dir, 0o755)
        chmod(h.path("supervisor.json"), 0o644)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", h.binary, "list", "--config", h.path("supervisor.json"),
        ]
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 1, err)
        XCTAssertTrue(err.contains("cannot reach the daemon") || err.contains("owned by uid"), err)
        XCTAssertFalse(err.contains("not running"), err)
    }
}
