import Foundation
import XCTest

/// The client side of applying an edit: what `fom edit`, `add` and `remove` send a running daemon
/// and how they report its answer. A scripted daemon on the control socket plays the daemon's
/// part, so these run without the daemon's own reload.
final class ManageReloadClientTests: XCTestCase {
    var harness: FomHarness!
    var daemon: ScriptedDaemon?

    override func tearDown() {
        daemon?.stop()
        daemon = nil
        harness?.tearDown()
        harness = nil
    }

    func setUp(config: String, rows: @escaping (_ reloaded: Bool, _ listsSinceReload: Int) -> [[String: Any]])
        throws -> (FomHarness, ScriptedDaemon)
    {
        let h = try FomHarness(config: config)
        harness = h
        try h.write(".env", "CVAT_URL=http://cvat.test\nCVAT_USERNAME=u\nCVAT_PASSWORD=p\n")
        try FileManager.default.createDirectory(atPath: h.path(".fom/logs"), withIntermediateDirectories: true)
        chmod(h.path(".fom"), 0o700)
        let scripted = try ScriptedDaemon(socket: h.path(".fom/fom.sock"), rows: rows)
        daemon = scripted
        return (h, scripted)
    }

    static let config = """
        {
          "instances": [
            { "name": "review", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 1000"] },
            { "name": "db", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 1000"] }
          ]
        }

        """

    static func row(_ id: Int, _ name: String, _ status: String, pid: Int?) -> [String: Any] {
        ["id": id, "name": name, "kind": "process", "status": status, "pid": pid ?? NSNull(), "restarts": 0]
    }

    func testEditSendsReloadAndWaitsForTheRestartedInstanceToHaveANewProcess() throws {
        let (h, scripted) = try setUp(config: Self.config) { reloaded, lists in
            let review =
                !reloaded
                ? Self.row(0, "review", "online", pid: 100)
                : lists < 3 ? Self.row(0, "review", "stopping", pid: 100) : Self.row(0, "review", "online", pid: 200)
            return [review, Self.row(1, "db", "online", pid: 101)]
        }
        scripted.reloadAnswer = [
            "ok": true, "added": [], "changed": [["name": "review", "keys": ["cvatSync"]]], "removed": [],
            "unchanged": ["db"],
        ]
        let edit = h.fom("edit", "review", "--cvat-sync", "on")
        XCTAssertEqual(edit.code, 0, edit.out + edit.err)
        let lines = edit.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "wrote \(h.path("supervisor.json")): review: cvatSync on")
        XCTAssertEqual(lines[1], "reload: restarted review (cvatSync)")
        XCTAssertEqual(lines[2], "reload: unchanged db")
        XCTAssertTrue(lines[4].hasPrefix("0   review  process  online  200"), edit.out)
        XCTAssertEqual(edit.err, "")
        let reload = try XCTUnwrap(scripted.requests.first { $0["cmd"] as? String == "reload" })
        XCTAssertNotEqual(reload["dryRun"] as? Bool, true, "a real reload, not a dry run")
        XCTAssertGreaterThanOrEqual(scripted.listsSinceReload, 3, "it waited for the new process")

        let json = h.fom("edit", "review", "--env", "A=1", "--json")
        XCTAssertEqual(json.code, 0, json.err)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let report = try XCTUnwrap(object["reload"] as? [String: Any])
        XCTAssertEqual((report["changed"] as? [[String: Any]])?.first?["name"] as? String, "review")
        XCTAssertEqual(((object["instances"] as? [[String: Any]])?.first)?["pid"] as? Int, 200)
    }

    func testAChangeAppliedInPlaceIsSaidSoAndNotWaitedFor() throws {
        let (h, scripted) = try setUp(config: Self.config) { _, _ in
            [Self.row(0, "review", "online", pid: 100), Self.row(1, "db", "online", pid: 101)]
        }
        scripted.reloadAnswer = [
            "ok": true, "added": [], "changed": [["name": "review", "keys": ["autostart"], "restarts": false]],
            "removed": [], "unchanged": ["db"],
        ]
        let edit = h.fom("edit", "review", "--autostart", "off")
        XCTAssertEqual(edit.code, 0, edit.out + edit.err)
        XCTAssertTrue(edit.out.contains("reload: updated review in place (autostart)"), edit.out)
        XCTAssertFalse(edit.out.contains("restarted"), edit.out)
        XCTAssertEqual(scripted.listsSinceReload, 1, "one look after the reload: nothing to wait for")
    }

    func testRemoveWaitsUntilTheDaemonNoLongerRunsItThenDeletesItsLogs() throws {
        let (h, scripted) = try setUp(config: Self.config) { reloaded, lists in
            var rows = [Self.row(1, "db", "online", pid: 101)]
            if !reloaded || lists < 2 {
                rows.insert(Self.row(0, "review", reloaded ? "stopping" : "online", pid: 100), at: 0)
            }
            return rows
        }
        scripted.reloadAnswer = ["ok": true, "added": [], "changed": [], "removed": ["review"], "unchanged": ["db"]]
        try h.write(".fom/logs/review.out.log", "x\n")
        try h.write(".fom/logs/review.err.log", "x\n")
        let remove = h.fom("remove", "review")
        XCTAssertEqual(remove.code, 0, remove.out + remove.err)
        XCTAssertTrue(remove.out.contains("reload: removed review (stopped)"), remove.out)
        XCTAssertTrue(remove.out.contains("deleted 2 log files of review"), remove.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path(".fom/logs/review.out.log")))
        XCTAssertGreaterThanOrEqual(scripted.listsSinceReload, 2)
    }

    func testAnAddedInstanceThatFailsIsReportedAndExitsOne() throws {
        let (h, scripted) = try setUp(config: Self.config) { reloaded, _ in
            var rows = [Self.row(0, "review", "online", pid: 100), Self.row(1, "db", "online", pid: 101)]
            if reloaded {
                var web = Self.row(2, "web", "errored", pid: nil)
                web["reason"] = "port 9 is in use by PID 1 (init)"
                rows.append(web)
            }
            return rows
        }
        scripted.reloadAnswer = [
            "ok": true, "added": ["web"], "changed": [], "removed": [], "unchanged": ["review", "db"],
        ]
        let add = h.fom("add", "web", "--kind", "process", "--port", "9", "--", "/bin/true")
        XCTAssertEqual(add.code, 1, add.out + add.err)
        XCTAssertTrue(add.out.contains("reload: added web"), add.out)
        XCTAssertTrue(add.err.contains("fom add: web is errored: port 9 is in use by PID 1 (init)"), add.err)
    }

    func testADaemonThatCannotApplyItIsReportedAfterTheFileIsWritten() throws {
        let (h, scripted) = try setUp(config: Self.config) { _, _ in [Self.row(0, "review", "online", pid: 100)] }
        scripted.reloadAnswer = ["ok": false, "error": "reload failed here"]
        let edit = h.fom("edit", "review", "--env", "A=1")
        XCTAssertEqual(edit.code, 1)
        XCTAssertEqual(
            edit.err, "fom edit: the file is written, but the daemon did not apply it: reload failed here\n")
        XCTAssertTrue(h.read("supervisor.json").contains("\"env\": { \"A\": \"1\" }"))
    }
}

/// A stand-in for the daemon on the control socket: answers `list` with scripted rows (which may
/// change after a reload, as a restart goes on) and `reload` with a scripted answer.
final class ScriptedDaemon: @unchecked Sendable {
    private let listener: Int32
    private let path: String
    private let lock = NSLock()
    private let rows: (Bool, Int) -> [[String: Any]]
    private var _requests: [[String: Any]] = []
    private var _reloaded = false
    private var _listsSinceReload = 0
    private var _reloadAnswer: [String: Any] = ["ok": true, "added": [], "changed": [], "removed": [], "unchanged": []]

    var requests: [[String: Any]] { lock.withLock { _requests } }
    var listsSinceReload: Int { lock.withLock { _listsSinceReload } }
    var reloadAnswer: [String: Any] {
        get { lock.withLock { _reloadAnswer } }
        set { lock.withLock { _reloadAnswer = newValue } }
    }

    init(socket path: String, rows: @escaping (Bool, Int) -> [[String: Any]]) throws {
        self.path = path
        self.rows = rows
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            throw NSError(domain: "ScriptedDaemon: cannot listen on \(path)", code: Int(errno))
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            serve(fd)
            close(fd)
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 10) {
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                let request = (try? JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
                let answer = respond(to: request)
                var bytes = [UInt8]((try? JSONSerialization.data(withJSONObject: answer)) ?? Data())
                bytes.append(10)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    private func respond(to request: [String: Any]) -> [String: Any] {
        lock.withLock {
            _requests.append(request)
            switch request["cmd"] as? String {
            case "list":
                if _reloaded { _listsSinceReload += 1 }
                return ["ok": true, "instances": rows(_reloaded, _listsSinceReload), "configDigest": ""]
            case "reload":
                _reloaded = true
                return _reloadAnswer
            default:
                return ["ok": true]
            }
        }
    }
}
