import Foundation
import XCTest

/// The `watch` request: changes pushed as they happen, a resource sample each second while
/// someone watches, and a watcher that stops reading dropped without slowing anyone.
final class WatchStreamTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// A raw connection to the control socket that the test reads (or does not read) itself.
    final class Connection {
        let fd: Int32
        var buffer: [UInt8] = []

        init(_ path: String, receiveBuffer: Int32? = nil) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            if var size = receiveBuffer {
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() { raw[i] = b }
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { throw NSError(domain: "connect \(path)", code: Int(errno)) }
        }

        deinit { close(fd) }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// The next line as JSON, or nil at the deadline or end of stream.
        func nextLine(timeout: TimeInterval = 10) -> [String: Any]? {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = Data(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    return (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
                }
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { return nil }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { return nil }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { return nil }
                buffer.append(contentsOf: chunk[0..<n])
            }
        }

        /// Reads until end of stream (true) or the deadline (false).
        func readsToEnd(timeout: TimeInterval) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while Date() < deadline {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 200) > 0 else { continue }
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { return true }
            }
            return false
        }
    }

    func testWatchPushesChangesAsTheyHappenAndASampleEachSecond() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "a", "kind": "process", "command": ["sleep", "3050"]},
                    {"name": "b", "kind": "process", "command": ["sleep", "3051"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let watcher = try Connection(h.path(".fom/fom.sock"))
        watcher.send("{\"cmd\": \"watch\"}\n")
        let first = watcher.nextLine()
        XCTAssertEqual(first?["ok"] as? Bool, true)
        let rows = first?["instances"] as? [[String: Any]] ?? []
        XCTAssertEqual(rows.compactMap { $0["name"] as? String }.sorted(), ["a", "b"])
        guard let old = h.pid("a") else { return XCTFail("a has no pid") }
        kill(old, SIGKILL)
        var statuses: [String] = []
        var newPid: Int?
        var samples = 0
        var memory: Int?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && (newPid == nil || samples < 2) {
            guard let line = watcher.nextLine() else { break }
            switch line["event"] as? String {
            case "change":
                let info = line["instance"] as? [String: Any] ?? [:]
                XCTAssertEqual(info["name"] as? String, "a", "only a changed")
                statuses.append(info["status"] as? String ?? "?")
                if info["status"] as? String == "online", let pid = info["pid"] as? Int, pid != Int(old) {
                    newPid = pid
                    XCTAssertEqual(info["restarts"] as? Int, 1)
                    XCTAssertTrue((info["lastExit"] as? String ?? "").contains("SIGKILL"), "\(info)")
                }
            case "sample":
                samples += 1
                let entries = line["samples"] as? [[String: Any]] ?? []
                XCTAssertEqual(entries.count, 2)
                if let m = entries.first(where: { $0["id"] as? Int == 1 })?["memoryBytes"] as? Int { memory = m }
            default:
                XCTFail("unexpected line \(line)")
            }
        }
        XCTAssertNotNil(newPid, "statuses seen: \(statuses)")
        XCTAssertEqual(statuses.last, "online")
        XCTAssertGreaterThanOrEqual(samples, 2)
        XCTAssertGreaterThan(memory ?? 0, 0, "sleep has resident memory")
        XCTAssertEqual(newPid.map(Int32.init), h.pid("a"))
    }

    func testListWatchPrintsTheTableAgainOnAChange() throws {
        let h = try FomHarness(
            config: #"{ "instances": [ {"name": "w", "kind": "process", "command": ["sleep", "3052"]} ] }"#)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        guard let old = h.pid("w") else { return XCTFail("w has no pid") }
        try h.startInBackground(["list", "--watch"], stdout: "watch.out")
        h.waitUntil("the first table") { h.read("watch.out").contains(String(old)) }
        kill(old, SIGKILL)
        h.waitUntil("a table with the new pid") {
            guard let new = h.pid("w"), new != old else { return false }
            return h.read("watch.out").contains("  \(new)  ")
        }
        XCTAssertTrue(h.read("watch.out").contains("cpu"))
    }

    func testListWatchWithoutADaemonSaysSo() throws {
        let h = try FomHarness(
            config: #"{ "instances": [ {"name": "w", "kind": "process", "command": ["sleep", "3053"]} ] }"#)
        harness = h
        let result = h.fom("list", "--watch", timeout: 20)
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.contains("not running"), result.err)
    }

    static func rssBytes(_ pid: Int32) -> Int { ResourceColumnsTests.rssBytes(pid) }

    /// Crash-looping instances make a flood of changes (long names make each line long, so the
    /// flood is big sooner); the watcher never reads a byte. The daemon drops it once it is a
    /// bounded amount behind, and `list` stays prompt throughout.
    func testWatcherThatNeverReadsIsDroppedWhileListIsStillAnswered() throws {
        let names = (0..<12).map { "c\($0)-" + String(repeating: "x", count: 120) }
        let crashers = names.map {
            #"{"name": "\#($0)", "kind": "process", "command": ["sh", "-c", "exit 3"], "autostart": false, "restart": "always", "maxRestarts": 1000000, "backoff": {"initial": "1ms", "max": "1ms"}}"#
        }
        let h = try FomHarness(
            config:
                "{ \"instances\": [ {\"name\": \"steady\", \"kind\": \"process\", \"command\": [\"sleep\", \"3054\"]}, \(crashers.joined(separator: ", ")) ] }"
        )
        harness = h
        XCTAssertEqual(h.fom("start", "steady").code, 0)
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon pid") }
        let rssBefore = Self.rssBytes(daemon)
        let stuck = try Connection(h.path(".fom/fom.sock"), receiveBuffer: 4096)
        stuck.send("{\"cmd\": \"watch\"}\n")
        XCTAssertEqual(h.run(["start"] + names + ["--no-wait"]).code, 0)
        var answered = 0
        var peak = rssBefore
        let dropped = h.waitUntil("the stuck watcher is dropped", timeout: 60) {
            // The daemon never waits for the stuck watcher: every list is answered (how fast is
            // scripts/bench's "list with 10, a stuck watcher", not a test's business).
            let result = h.fom("list")
            XCTAssertEqual(result.code, 0, result.err)
            if result.code == 0 { answered += 1 }
            peak = max(peak, Self.rssBytes(daemon))
            return h.read(".fom/logs/fom.log").contains("dropped a watcher that stopped reading")
        }
        XCTAssertEqual(h.run(["stop"] + names).code, 0)
        XCTAssertTrue(dropped)
        // What the kernel buffered is still there to read, then the end: the daemon closed it.
        XCTAssertTrue(stuck.readsToEnd(timeout: 20), "the daemon closed the stuck watcher")
        XCTAssertGreaterThan(answered, 0, "list answered while a watcher was stuck")
        // The unsent output is capped at 1 MiB; the rest of the growth is the allocator's slack.
        XCTAssertLessThan(peak - rssBefore, 16 << 20, "daemon RSS \(rssBefore) -> peak \(peak)")
        XCTAssertEqual(h.status("steady"), "online")
    }
}
