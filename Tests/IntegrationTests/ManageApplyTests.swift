import Foundation
import XCTest

/// `fom edit`, `add` and `remove` applied by a running daemon (its `reload`), with real `/bin/sh`
/// and Python children: what changed is restarted with its new environment, what was added comes
/// online, what was removed stops, and everything else keeps its process.
final class ManageApplyTests: XCTestCase {
    var harness: FomHarness!
    let token = "fom-apply-\(getpid())"

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// A stand-in for the default stack: a "database" and two instances, one of them synced.
    func stack() throws -> FomHarness {
        func child(_ name: String) -> String {
            #"["/bin/sh", "-c", "echo \#(name) up; exec sleep 1000 # \#(token)-\#(name)"]"#
        }
        let h = try FomHarness(
            config: """
                {
                  "instances": [
                    {
                      "name": "annotate",
                      "kind": "process",
                      "cvatSync": true,
                      "dependsOn": ["db"],
                      "command": \(child("annotate"))
                    },
                    {
                      "name": "review",
                      "kind": "process",
                      "dependsOn": ["db"],
                      "command": \(child("review"))
                    },
                    {
                      "name": "db",
                      "kind": "process",
                      "command": \(child("db"))
                    }
                  ]
                }

                """)
        try h.write(".env", "CVAT_URL=http://cvat.test:8080\nCVAT_USERNAME=annotator\nCVAT_PASSWORD=s3cret\n")
        harness = h
        let start = h.fom("start")
        XCTAssertEqual(start.code, 0, start.out + start.err)
        return h
    }

    func cvatLines(_ h: FomHarness, _ name: String) -> [String] {
        h.fom("env", name).out.split(separator: "\n").map(String.init).filter { $0.contains("CVAT") }
    }

    /// The variables of the real process, from /proc.
    func processEnvironment(_ pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    func testCvatSyncOnRestartsOnlyThatInstanceWithTheThreeVariablesAndOffTakesThemAway() throws {
        let h = try stack()
        let before = h.list().mapValues { $0["pid"] as? Int }
        XCTAssertEqual(cvatLines(h, "review"), [])

        let on = h.fom("edit", "review", "--cvat-sync", "on")
        XCTAssertEqual(on.code, 0, on.out + on.err)
        XCTAssertTrue(on.out.hasPrefix("wrote \(h.path("supervisor.json")): review: cvatSync on\n"), on.out)
        XCTAssertTrue(on.out.contains("reload: restarted review (cvatSync)"), on.out)
        XCTAssertEqual(unchanged(on.out), ["annotate", "db"])
        let after = h.list()
        XCTAssertEqual(after["review"]?["status"] as? String, "online")
        let reviewPid = try XCTUnwrap(after["review"]?["pid"] as? Int)
        XCTAssertNotEqual(reviewPid, before["review"] ?? nil, "review was restarted")
        XCTAssertEqual(after["annotate"]?["pid"] as? Int, before["annotate"] ?? nil, "annotate keeps its process")
        XCTAssertEqual(after["db"]?["pid"] as? Int, before["db"] ?? nil, "db keeps its process")
        // `fom env review | grep CVAT`, right after the edit, and the process itself.
        XCTAssertEqual(
            cvatLines(h, "review"),
            [
                "FIFTYONE_CVAT_PASSWORD=********", "FIFTYONE_CVAT_URL=http://cvat.test:8080",
                "FIFTYONE_CVAT_USERNAME=annotator",
            ])
        XCTAssertTrue(processEnvironment(Int32(reviewPid)).contains("FIFTYONE_CVAT_PASSWORD=s3cret"))

        let off = h.fom("edit", "review", "--cvat-sync", "off")
        XCTAssertEqual(off.code, 0, off.out + off.err)
        XCTAssertTrue(off.out.contains("reload: restarted review (cvatSync)"), off.out)
        let offPid = try XCTUnwrap(h.pid("review"))
        XCTAssertNotEqual(Int(offPid), reviewPid)
        XCTAssertEqual(cvatLines(h, "review"), [])
        XCTAssertFalse(processEnvironment(offPid).contains { $0.contains("CVAT") })
        XCTAssertEqual(h.list()["annotate"]?["pid"] as? Int, before["annotate"] ?? nil)

        // annotate: off, then `fom env annotate | grep CVAT` is empty.
        let annotateOff = h.fom("edit", "annotate", "--cvat-sync", "off")
        XCTAssertEqual(annotateOff.code, 0, annotateOff.out + annotateOff.err)
        XCTAssertNotEqual(h.list()["annotate"]?["pid"] as? Int, before["annotate"] ?? nil)
        XCTAssertEqual(cvatLines(h, "annotate"), [])
    }

    func testEditOfAnEnvVariableRestartsTheInstanceWithIt() throws {
        let h = try stack()
        let before = try XCTUnwrap(h.pid("db"))
        let edit = h.fom("edit", "db", "--env", "DB_CACHE=64")
        XCTAssertEqual(edit.code, 0, edit.out + edit.err)
        XCTAssertTrue(edit.out.contains("reload: restarted db (env.DB_CACHE)"), edit.out)
        let pid = try XCTUnwrap(h.pid("db"))
        XCTAssertNotEqual(pid, before)
        XCTAssertTrue(processEnvironment(pid).contains("DB_CACHE=64"))
        XCTAssertEqual(h.status("annotate"), "online")
        XCTAssertEqual(h.status("review"), "online")
    }

    func testAddBringsAPythonServerOnlineAndRemoveStopsItAndDeletesItsLogs() throws {
        let h = try stack()
        let before = h.list().mapValues { $0["pid"] as? Int }
        let port = freePort()
        let add = h.fom(
            "add", "web", "--kind", "process", "--port", String(port), "--", "python3", "-m", "http.server",
            "{port}", "--bind", "127.0.0.1")
        XCTAssertEqual(add.code, 0, add.out + add.err)
        XCTAssertTrue(add.out.contains("reload: added web"), add.out)
        XCTAssertEqual(unchanged(add.out), ["annotate", "review", "db"])
        guard add.code == 0 else { return }  // already failed; nothing comes online to wait for
        h.waitUntil("web online") { h.status("web") == "online" }
        h.waitUntil("web answers HTTP on port \(port)") { httpStatus(port) == 200 }
        XCTAssertEqual(h.list()["web"]?["url"] as? String, "http://127.0.0.1:\(port)")
        let webPid = try XCTUnwrap(h.pid("web"))
        for name in ["annotate", "review", "db"] {
            XCTAssertEqual(h.list()[name]?["pid"] as? Int, before[name] ?? nil, "\(name) keeps its process")
        }
        h.waitUntil("web logged") { FileManager.default.fileExists(atPath: h.path(".fom/logs/web.err.log")) }

        let remove = h.fom("remove", "web")
        XCTAssertEqual(remove.code, 0, remove.out + remove.err)
        XCTAssertTrue(remove.out.contains("reload: removed web (stopped)"), remove.out)
        XCTAssertNil(h.list()["web"])
        XCTAssertFalse(FomHarness.isAlive(webPid), "the server was stopped")
        XCTAssertNil(httpStatus(port), "nothing listens on \(port) any more")
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: h.path(".fom/logs"))) ?? []
        XCTAssertEqual(logs.filter { $0.hasPrefix("web.") }, [], "its log files are deleted")
        for name in ["annotate", "review", "db"] {
            XCTAssertEqual(h.list()[name]?["pid"] as? Int, before[name] ?? nil, "\(name) keeps its process")
        }
    }

    func testRemoveOfADependencyWithForceStopsItAndKeepsTheDependents() throws {
        let h = try stack()
        let refused = h.fom("remove", "db")
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.err.contains("db is in the dependsOn of annotate, review"), refused.err)
        XCTAssertEqual(h.status("db"), "online")
        let dbPid = try XCTUnwrap(h.pid("db"))
        let forced = h.fom("remove", "db", "--force", "--keep-logs")
        XCTAssertEqual(forced.code, 0, forced.out + forced.err)
        XCTAssertTrue(forced.out.contains("reload: removed db (stopped)"), forced.out)
        XCTAssertFalse(FomHarness.isAlive(dbPid))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path(".fom/logs/db.out.log")), "--keep-logs")
        XCTAssertEqual(h.status("annotate"), "online")
        XCTAssertEqual(h.status("review"), "online")
    }

    // MARK: helpers

    /// The names of the `reload: unchanged a, b` line.
    func unchanged(_ output: String) -> Set<String> {
        let line = output.split(separator: "\n").first { $0.hasPrefix("reload: unchanged ") } ?? ""
        return Set(line.dropFirst("reload: unchanged ".count).split(separator: ", ").map(String.init))
    }

    func freePort() -> Int { FomHarness.freePort() }
}

/// The status of `GET http://127.0.0.1:PORT/`, or nil when nothing answers.
func httpStatus(_ port: Int) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { return nil }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let request = Array("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
    var buffer = [UInt8](repeating: 0, count: 64)
    let n = recv(fd, &buffer, buffer.count, 0)
    guard n > 12 else { return nil }
    // "HTTP/1.0 200 OK"
    return Int(String(decoding: buffer[9..<12], as: UTF8.self))
}
