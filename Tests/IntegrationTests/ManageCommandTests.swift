import Foundation
import XCTest

/// `fom add`, `fom edit` and `fom remove` on a copy of the default supervisor.json, with no
/// daemon or with --no-apply: what the file says afterwards, byte for byte, and what is refused.
final class ManageCommandTests: XCTestCase {
    var harness: FomHarness!
    var original = ""

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// The repository's own supervisor.json and .env.example, in a temporary directory.
    func defaultFiles() throws -> FomHarness {
        let root = EndToEndTests.repoRoot
        original = try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8)
        let h = try FomHarness(config: original)
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
        harness = h
        return h
    }

    /// `text` with `old`, which must occur exactly once, replaced by `new`.
    func replacing(_ old: String, with new: String, in text: String) -> String {
        let parts = text.components(separatedBy: old)
        XCTAssertEqual(parts.count, 2, "the default supervisor.json no longer has: \(old)")
        return parts.joined(separator: new)
    }

    struct FileStamp: Equatable {
        let inode: UInt
        let seconds: Int
        let nanoseconds: Int
    }

    func stamp(_ path: String) -> FileStamp {
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        return FileStamp(inode: UInt(st.st_ino), seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec)
    }

    func noDaemonRuns(_ h: FomHarness) -> Bool {
        h.daemonPid().map { !FomHarness.isAlive($0) } ?? true
    }

    // MARK: edit

    func testCvatSyncOnWithoutADaemonWritesOneLineAndStartsNothing() throws {
        let h = try defaultFiles()
        let on = h.fom("edit", "review", "--cvat-sync", "on")
        XCTAssertEqual(on.code, 0, on.err)
        XCTAssertEqual(on.out, "wrote \(h.path("supervisor.json")): review: cvatSync on\n")
        XCTAssertTrue(on.err.contains("the daemon is not running: only the file changed, nothing was started"), on.err)
        XCTAssertEqual(
            h.read("supervisor.json"),
            replacing(
                "      \"port\": 5152,\n", with: "      \"port\": 5152,\n      \"cvatSync\": true,\n", in: original))
        XCTAssertTrue(noDaemonRuns(h), "edit must not start the daemon")

        // The environment the next start of review gets has the three variables.
        let env = h.fom("env", "review")
        XCTAssertEqual(
            env.out.split(separator: "\n").filter { $0.contains("CVAT") },
            [
                "FIFTYONE_CVAT_PASSWORD=********", "FIFTYONE_CVAT_URL=http://localhost:8080",
                "FIFTYONE_CVAT_USERNAME=fiftyone",
            ])

        let off = h.fom("edit", "review", "--cvat-sync", "off")
        XCTAssertEqual(off.code, 0, off.err)
        XCTAssertEqual(h.read("supervisor.json"), original, "on then off gives back the file byte for byte")
        XCTAssertEqual(h.fom("env", "review").out.split(separator: "\n").filter { $0.contains("CVAT") }, [])
    }

    func testEditByIdChangesPortEnvAndOtherKeysOnlyInThatInstance() throws {
        let h = try defaultFiles()
        // Ids: annotate 0, review 1, mongodb 2, as the state file will give them.
        let edit = h.fom(
            "edit", "1", "--port", "5160", "--env", "A=1", "--env", "B=two words", "--set", "restart=never",
            "--set", "maxMemory=\"2G\"", "--autostart", "off", "--unset-env", "FIFTYONE_DO_NOT_TRACK")
        XCTAssertEqual(edit.code, 0, edit.err)
        XCTAssertTrue(
            edit.out.hasPrefix(
                "wrote \(h.path("supervisor.json")): review: restart set, maxMemory set, port 5160, autostart off, env.A set, env.B set, env.FIFTYONE_DO_NOT_TRACK removed"
            ), edit.out)
        let expected = replacing(
            """
                  "name": "review",
                  "port": 5152,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "review",
                    "FIFTYONE_DO_NOT_TRACK": "true",
                    "FIFTYONE_DATABASE_VALIDATION": "false"
                  }
            """,
            with: """
                      "name": "review",
                      "port": 5160,
                      "dependsOn": ["mongodb"],
                      "env": {
                        "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                        "FIFTYONE_DATABASE_NAME": "review",
                        "FIFTYONE_DATABASE_VALIDATION": "false",
                        "A": "1",
                        "B": "two words"
                      },
                      "autostart": false,
                      "restart": "never",
                      "maxMemory": "2G"
                """, in: original)
        XCTAssertEqual(h.read("supervisor.json"), expected)
        XCTAssertEqual(h.fom("validate").code, 0)

        // Nothing to change is said, and the file is left alone.
        let before = stamp(h.path("supervisor.json"))
        let again = h.fom("edit", "review", "--port", "5160")
        XCTAssertEqual(again.code, 0, again.err)
        XCTAssertTrue(again.out.contains("already says so"), again.out)
        XCTAssertEqual(stamp(h.path("supervisor.json")), before)

        let missing = h.fom("edit", "review", "--unset-env", "NOT_SET")
        XCTAssertTrue(missing.err.contains("review has no env.NOT_SET in the file"), missing.err)
    }

    func testASecretGivenOnTheCommandLineIsNeverPrinted() throws {
        let h = try defaultFiles()
        let edit = h.fom("edit", "review", "--env", "CVAT_PASSWORD=hunter2-secret", "--json")
        XCTAssertEqual(edit.code, 0, edit.err)
        XCTAssertFalse(edit.out.contains("hunter2"), edit.out)
        XCTAssertFalse(edit.err.contains("hunter2"), edit.err)
        XCTAssertTrue(edit.err.contains("CVAT_PASSWORD was given on the command line"), edit.err)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(edit.out.utf8)) as? [String: Any])
        XCTAssertEqual(json["written"] as? Bool, true)
        XCTAssertEqual(json["instance"] as? String, "review")
        XCTAssertTrue(json["reload"] is NSNull, "no daemon, nothing applied")
    }

    // MARK: add

    func testAddThirdWritesAnInstanceWiredToTheMongoDBAndListShowsItsURL() throws {
        let h = try defaultFiles()
        let add = h.fom("add", "third", "--port", "5153", "--no-apply")
        XCTAssertEqual(add.code, 0, add.err)
        XCTAssertTrue(add.out.contains("added third (port 5153)"), add.out)
        XCTAssertTrue(add.out.contains("database \"third\" on mongodb (mongodb://127.0.0.1:27017)"), add.out)
        XCTAssertEqual(
            h.read("supervisor.json"),
            replacing(
                "      \"killTimeout\": \"20s\"\n    }\n",
                with: """
                          "killTimeout": "20s"
                        },
                        {
                          "name": "third",
                          "port": 5153,
                          "dependsOn": ["mongodb"],
                          "env": {
                            "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                            "FIFTYONE_DATABASE_NAME": "third"
                          }
                        }

                    """, in: original))
        XCTAssertTrue(noDaemonRuns(h))

        let env = h.fom("env", "third")
        XCTAssertTrue(env.out.contains("FIFTYONE_DATABASE_NAME=third\n"), env.out)
        XCTAssertTrue(env.out.contains("FIFTYONE_DATABASE_URI=mongodb://127.0.0.1:27017\n"), env.out)
        XCTAssertFalse(env.out.contains("CVAT"), env.out)

        let list = h.list()
        XCTAssertEqual(list["third"]?["url"] as? String, "http://127.0.0.1:5153")
        XCTAssertEqual(list["annotate"]?["url"] as? String, "http://127.0.0.1:5151")
        let table = h.fom("list").out.split(separator: "\n")
        XCTAssertTrue(table.first?.hasSuffix("cvat  url") == true, "\(table)")
        XCTAssertTrue(table.contains { $0.contains("third") && $0.hasSuffix("http://127.0.0.1:5153") }, "\(table)")
    }

    func testAddProcessAndOptionsWriteWhatTheyAsk() throws {
        let h = try defaultFiles()
        let worker = h.fom(
            "add", "worker", "--kind", "process", "--no-autostart", "--", "/bin/sh", "-c", "exec sleep 100")
        XCTAssertEqual(worker.code, 0, worker.err)
        let synced = h.fom(
            "add", "synced", "--port", "5154", "--cvat-sync", "--database", "shared", "--env", "X=1", "--depends-on",
            "worker")
        XCTAssertEqual(synced.code, 0, synced.err)
        XCTAssertTrue(
            h.read("supervisor.json").hasSuffix(
                """
                      "killTimeout": "20s"
                    },
                    {
                      "name": "worker",
                      "kind": "process",
                      "command": ["/bin/sh", "-c", "exec sleep 100"],
                      "autostart": false
                    },
                    {
                      "name": "synced",
                      "port": 5154,
                      "cvatSync": true,
                      "dependsOn": ["mongodb", "worker"],
                      "env": {
                        "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                        "FIFTYONE_DATABASE_NAME": "shared",
                        "X": "1"
                      }
                    }
                  ]
                }

                """), h.read("supervisor.json"))
        XCTAssertEqual(h.fom("validate").code, 0)
        XCTAssertEqual(h.list()["worker"]?["url"] as? NSNull, NSNull(), "no port, no url")
    }

    func testUsageErrorsExitTwoAndTouchNothing() throws {
        let h = try defaultFiles()
        for (args, message) in [
            (["add"], "name the new instance"),
            (["add", "w", "--kind", "process"], "needs its command after '--'"),
            (["add", "w", "--kind", "job", "--", "x"], "--kind is fiftyone or process"),
            (["add", "w", "--kind", "process", "--database", "d", "--", "x"], "--database is for fiftyone instances"),
            (["add", "w", "--port", "abc"], "--port takes a port number from 1 to 65535"),
            (["add", "w", "--prot", "1"], "did you mean \"--port\"?"),
            (["edit", "review"], "nothing to change"),
            (["edit", "review", "--cvat-sync", "maybe"], "--cvat-sync takes on or off"),
            (["edit", "review", "--set", "=1"], "--set takes KEY=JSON"),
            (["edit", "review", "--env", "=1"], "--env takes KEY=VALUE"),
            (["remove"], "name one instance"),
        ] {
            let result = h.run(args)
            XCTAssertEqual(result.code, 2, "\(args): \(result.err)")
            XCTAssertTrue(result.err.contains(message), "\(args): \(result.err)")
        }
        let unknown = h.fom("edit", "reveiw", "--cvat-sync", "on")
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.err.contains("unknown instance \"reveiw\"; did you mean \"review\"?"), unknown.err)
        XCTAssertEqual(h.read("supervisor.json"), original)
    }

    // MARK: refused

    func testARefusedChangeSaysWhatValidateSaysAndLeavesBytesAndMtimeUnchanged() throws {
        let h = try defaultFiles()
        let before = stamp(h.path("supervisor.json"))

        // What validate prints for the file the edit would have written.
        let taken = h.fom("edit", "review", "--port", "5151")
        XCTAssertEqual(taken.code, 1)
        let other = try FomHarness(
            config: replacing("\"port\": 5152,", with: "\"port\": 5151,", in: original))
        defer { other.tearDown() }
        let validate = other.fom("validate")
        XCTAssertEqual(validate.code, 1)
        XCTAssertEqual(
            validate.err, "supervisor.json:19:15: instances[1].port: port 5151 is already used by \"annotate\"\n")
        XCTAssertEqual(
            taken.err,
            validate.err + "fom edit: refused; \(h.path("supervisor.json")) is unchanged\n")

        for (args, line) in [
            (
                ["add", "review", "--port", "5199"],
                "instances[3].name: duplicate name \"review\" (instances[1] has it too)"
            ),
            (["add", "fourth", "--port", "27017"], "instances[3].port: port 27017 is already used by \"mongodb\""),
            (["add", "fifth"], "instances[3].port: required for a fiftyone instance"),
            (["add", "all", "--port", "5199"], "\"all\" is reserved"),
            (["edit", "review", "--set", "colour=\"red\""], "instances[1]: unknown key \"colour\""),
            (["edit", "review", "--set", "restrat=never"], "unknown key \"restrat\"; did you mean \"restart\"?"),
            (
                ["edit", "review", "--set", "restart=sometimes"],
                "instances[1].restart: unknown restart policy \"sometimes\""
            ),
            (["edit", "review", "--set", "minUptime=5"], "instances[1].minUptime: duration needs a unit"),
            (["edit", "review", "--set", "dependsOn=[\"nope\"]"], "unknown instance \"nope\""),
            (["edit", "mongodb", "--set", "dependsOn=[\"review\"]"], "dependency cycle"),
            (["edit", "review", "--port", "70000"], "instances[1].port: port 70000 is outside 1-65535"),
            (["edit", "review", "--unset", "port"], "instances[1].port: required for a fiftyone instance"),
        ] {
            let result = h.run(args)
            XCTAssertEqual(result.code, 1, "\(args): \(result.err)")
            XCTAssertTrue(result.err.hasPrefix("supervisor.json:"), "\(args): \(result.err)")
            XCTAssertTrue(result.err.contains(line), "\(args): \(result.err)")
            XCTAssertTrue(result.err.hasSuffix("refused; \(h.path("supervisor.json")) is unchanged\n"), result.err)
        }
        XCTAssertEqual(h.read("supervisor.json"), original)
        XCTAssertEqual(stamp(h.path("supervisor.json")), before, "the file was not rewritten")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: h.dir).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary file left behind")
    }

    func testAFileThatIsNotUTF8IsNotRewritten() throws {
        let h = try defaultFiles()
        // A stray Latin-1 byte inside a string: refused with its position, and the file is not touched.
        var bytes = Array(original.utf8)
        let marker = Array("\"FIFTYONE_DO_NOT_TRACK\": \"true".utf8)
        let index = (0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker }!
        bytes.insert(0xE9, at: index + marker.count)
        try Data(bytes).write(to: URL(fileURLWithPath: h.path("supervisor.json")))
        let edit = h.fom("edit", "review", "--cvat-sync", "on")
        XCTAssertEqual(edit.code, 1, edit.out + edit.err)
        XCTAssertTrue(edit.err.contains("invalid UTF-8"), edit.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: h.path("supervisor.json"))), Data(bytes))
    }

    // MARK: remove

    func testRemoveIsRefusedWhileDependedOnAndForceTakesItOutOfDependsOn() throws {
        let h = try defaultFiles()
        let refused = h.fom("remove", "mongodb")
        XCTAssertEqual(refused.code, 1)
        XCTAssertEqual(
            refused.err,
            "fom remove: mongodb is in the dependsOn of annotate, review; remove them first, or use --force, which also takes mongodb out of their dependsOn\n"
        )
        XCTAssertEqual(h.read("supervisor.json"), original)

        let removeReview = h.fom("remove", "review")
        XCTAssertEqual(removeReview.code, 0, removeReview.err)
        let withoutReview = replacing(
            """
                {
                  "name": "review",
                  "port": 5152,
                  "dependsOn": ["mongodb"],
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "review",
                    "FIFTYONE_DO_NOT_TRACK": "true",
                    "FIFTYONE_DATABASE_VALIDATION": "false"
                  }
                },

            """, with: "", in: original)
        XCTAssertEqual(h.read("supervisor.json"), withoutReview)

        let forced = h.fom("remove", "mongodb", "--force")
        XCTAssertEqual(forced.code, 0, forced.err)
        XCTAssertTrue(forced.out.contains("removed mongodb (and from the dependsOn of annotate)"), forced.out)
        let expected = """
            {
              "envFile": ".env",
              "logs": { "dir": ".fom/logs", "maxSize": "10M", "keep": 5, "timestamps": true },
              "instances": [
                {
                  "name": "annotate",
                  "port": 5151,
                  "cvatSync": true,
                  "env": {
                    "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                    "FIFTYONE_DATABASE_NAME": "annotate",
                    "FIFTYONE_DO_NOT_TRACK": "true",
                    "FIFTYONE_DATABASE_VALIDATION": "false"
                  }
                }
              ]
            }

            """
        XCTAssertEqual(h.read("supervisor.json"), expected)
        XCTAssertEqual(h.fom("validate").code, 0)
    }

    func testRemoveDeletesTheInstanceLogFilesUnlessKeepLogs() throws {
        let h = try defaultFiles()
        try FileManager.default.createDirectory(atPath: h.path(".fom/logs"), withIntermediateDirectories: true)
        let names = [
            "review.out.log", "review.err.log", "review.out.log.1", "review.err.log.2", "review-old.out.log",
            "annotate.out.log", "fom.log",
        ]
        for name in names { try h.write(".fom/logs/" + name, "x\n") }
        let kept = h.fom("remove", "annotate", "--keep-logs")
        XCTAssertEqual(kept.code, 0, kept.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path(".fom/logs/annotate.out.log")))

        let removed = h.fom("remove", "review")
        XCTAssertEqual(removed.code, 0, removed.err)
        XCTAssertTrue(removed.out.contains("deleted 4 log files of review"), removed.out)
        let left = try FileManager.default.contentsOfDirectory(atPath: h.path(".fom/logs")).sorted()
        XCTAssertEqual(left, ["annotate.out.log", "fom.log", "review-old.out.log"])
    }

    // MARK: writing

    func testTwentyConcurrentEditsEachSettingAVariableAllLand() throws {
        let h = try defaultFiles()
        var processes: [(Process, String)] = []
        for i in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: h.binary)
            process.arguments = ["edit", "review", "--env", "CONCURRENT_\(i)=value \(i)", "--no-apply"]
            process.currentDirectoryURL = URL(fileURLWithPath: h.dir)
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "FOM_CONFIG")
            env.removeValue(forKey: "FOM_HOME")
            process.environment = env
            let errFile = h.path(".err-\(i)")
            _ = FileManager.default.createFile(atPath: errFile, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: errFile)
            processes.append((process, errFile))
        }
        for (process, _) in processes { try process.run() }
        for (process, errFile) in processes {
            process.waitUntilExit()
            let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            XCTAssertEqual(process.terminationStatus, 0, err)
        }
        let text = h.read("supervisor.json")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let instances = try XCTUnwrap(object["instances"] as? [[String: Any]])
        let env = try XCTUnwrap(instances.first { $0["name"] as? String == "review" }?["env"] as? [String: String])
        for i in 0..<20 { XCTAssertEqual(env["CONCURRENT_\(i)"], "value \(i)", "edit \(i) was lost") }
        XCTAssertEqual(env.count, 24)
        XCTAssertEqual(h.fom("validate").code, 0)
        // Everything outside review's env is as it was.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(
            lines.filter { !$0.contains("CONCURRENT_") }.joined(separator: "\n"),
            replacing(
                "\"FIFTYONE_DATABASE_VALIDATION\": \"false\"\n      }\n    },\n    {\n      \"name\": \"mongodb\"",
                with:
                    "\"FIFTYONE_DATABASE_VALIDATION\": \"false\",\n      }\n    },\n    {\n      \"name\": \"mongodb\"",
                in: original))
    }

    func testTheFileKeepsItsModeAndASymlinkStaysASymlink() throws {
        let h = try defaultFiles()
        let real = h.path("real-config.json")
        try FileManager.default.moveItem(atPath: h.path("supervisor.json"), toPath: real)
        try FileManager.default.createSymbolicLink(
            atPath: h.path("supervisor.json"), withDestinationPath: "real-config.json")
        chmod(real, 0o640)
        let edit = h.fom("edit", "review", "--cvat-sync", "on")
        XCTAssertEqual(edit.code, 0, edit.err)
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: h.path("supervisor.json")), "real-config.json")
        XCTAssertTrue(h.read("real-config.json").contains("\"cvatSync\": true,\n      \"dependsOn\""))
        var st = stat()
        XCTAssertEqual(stat(real, &st), 0)
        XCTAssertEqual(st.st_mode & 0o7777, 0o640)
    }

    // MARK: with a daemon that is not asked

    func testNoApplyWritesTheFileAndLeavesTheRunningDaemonAlone() throws {
        let token = "fom-noapply-\(getpid())"
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "web", "kind": "process", "command": ["/bin/sh", "-c", "echo up; exec sleep 1000 # \(token)"]}]}
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let pid = try XCTUnwrap(h.pid("web"))
        h.waitUntil("web logged its first line") { h.read(".fom/logs/web.out.log") == "up\n" }
        let edit = h.fom("edit", "web", "--env", "X=1", "--no-apply")
        XCTAssertEqual(edit.code, 0, edit.err)
        XCTAssertTrue(edit.err.contains("--no-apply: the daemon still runs the previous version"), edit.err)
        XCTAssertTrue(h.read("supervisor.json").contains("\"env\": { \"X\": \"1\" }"), h.read("supervisor.json"))
        XCTAssertEqual(h.pid("web"), pid)
        XCTAssertEqual(h.status("web"), "online")
        let remove = h.fom("remove", "web", "--no-apply")
        XCTAssertEqual(remove.code, 0, remove.err)
        XCTAssertTrue(remove.out.contains("logs kept: the daemon still runs web"), remove.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path(".fom/logs/web.out.log")))
    }
}
