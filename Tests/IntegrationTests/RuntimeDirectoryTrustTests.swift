import Foundation
import XCTest

/// DESIGN.md's runtime directory trust: fom uses only a directory its own user owns and nobody
/// else may write to, creates it only when missing, never changes the mode of one it did not
/// create, opens its files without following symlinks, and signals only processes that carry
/// its marker.
final class RuntimeDirectoryTrustTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func make() throws -> FomHarness {
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "talker", "kind": "process",
                  "command": ["/bin/sh", "-c", "echo hello-from-talker; exec sleep 3001"]}] }
                """)
        return harness
    }

    func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }

    func testRuntimeDirectoryWritableByOthersIsRefusedAndKeepsItsMode() throws {
        let h = try make()
        let shared = h.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        h.extraEnvironment["FOM_HOME"] = shared
        let result = h.fom("start")
        XCTAssertEqual(result.code, 1, result.out + result.err)
        XCTAssertTrue(result.err.contains("writable by others"), result.err)
        XCTAssertEqual(mode(shared), 0o1777, "a directory fom did not create keeps its mode")
        XCTAssertFalse(FileManager.default.fileExists(atPath: shared + "/fom.sock"))
        XCTAssertEqual(FomHarness.pids(withToken: "hello-from-talker").count, 0)
    }

    func testRuntimeDirectoryOwnedByAnotherUserIsRefused() throws {
        let h = try make()
        let foreign = h.path("foreign")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        chmod(foreign, 0o700)
        // The suite runs as root (CI does); another owner needs chown.
        XCTAssertEqual(chown(foreign, 65534, 65534), 0, "this test needs to run as root")
        h.extraEnvironment["FOM_HOME"] = foreign
        let result = h.fom("list")
        let start = h.fom("start")
        XCTAssertEqual(start.code, 1, start.out + start.err)
        XCTAssertTrue(start.err.contains("owned by uid 65534"), start.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: foreign + "/fom.sock"), result.err)
    }

    func testExistingFomHomeIsUsedWithoutChangingItsMode() throws {
        let h = try make()
        let home = h.path("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        chmod(home, 0o755)
        h.extraEnvironment["FOM_HOME"] = home
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(mode(home), 0o755)
        XCTAssertEqual(h.status("talker"), "online")
    }

    func testMissingRuntimeDirectoryIsCreatedPrivate() throws {
        let h = try make()
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(mode(h.path(".fom")), 0o700)
    }

    func testSymlinkedLogFileIsNotFollowed() throws {
        let h = try make()
        try FileManager.default.createDirectory(atPath: h.path(".fom/logs"), withIntermediateDirectories: true)
        chmod(h.path(".fom"), 0o700)
        try h.write("victim", "precious\n")
        try FileManager.default.createSymbolicLink(
            atPath: h.path(".fom/logs/talker.out.log"), withDestinationPath: h.path("victim"))
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("the log error is counted") { (h.list()["talker"]?["logErrors"] as? Int ?? 0) > 0 }
        XCTAssertEqual(h.read("victim"), "precious\n", "a planted link never receives a write")
    }

    func testSymlinkedStateTemporaryFileIsNotFollowed() throws {
        let h = try make()
        try FileManager.default.createDirectory(atPath: h.path(".fom"), withIntermediateDirectories: true)
        chmod(h.path(".fom"), 0o700)
        try h.write("victim", "precious\n")
        try FileManager.default.createSymbolicLink(
            atPath: h.path(".fom/state.json.new"), withDestinationPath: h.path("victim"))
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(h.read("victim"), "precious\n")
        let type =
            (try? FileManager.default.attributesOfItem(atPath: h.path(".fom/state.json")))?[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeRegular)
        XCTAssertTrue(h.read(".fom/state.json").contains("talker"))
    }

    func testPidPlantedInTheStateFileIsNeverSignalled() throws {
        let h = try make()
        // A process that is not fom's, with its real start time written into the state file.
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["3002"]
        try bystander.run()
        defer { bystander.terminate() }
        let stat = try String(contentsOfFile: "/proc/\(bystander.processIdentifier)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let startTime = String(fields[19])
        try FileManager.default.createDirectory(atPath: h.path(".fom"), withIntermediateDirectories: true)
        chmod(h.path(".fom"), 0o700)
        try h.write(
            ".fom/state.json",
            """
            {"version": 1, "nextId": 1, "ids": {"talker": 0},
             "instances": {"talker": {"wanted": "up", "pid": \(bystander.processIdentifier), "startTime": \(startTime)}}}
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        XCTAssertEqual(h.status("talker"), "online")
        XCTAssertEqual(h.fom("stop", "talker").code, 0)
        XCTAssertTrue(bystander.isRunning, "a pid from the state file without fom's marker is left alone")
    }
}
