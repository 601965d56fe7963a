import Foundation
import XCTest

/// Real FiftyOne App servers and a real MongoDB under fom, checked the way users check them.
/// Needs `scripts/setup` to have run (scripts/test does it); without FiftyOne it fails, loudly.
final class EndToEndTests: XCTestCase {
    var harness: FomHarness!
    var cvat: CVATStandIn?

    override func tearDown() {
        harness?.tearDown()
        harness = nil
        cvat?.stop()
        cvat = nil
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A free TCP port on 127.0.0.1, from the kernel.
    func freePort() -> Int { FomHarness.freePort() }

    /// Runs the venv's Python on a snippet and returns its stdout.
    func python(_ code: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.repoRoot + "/.venv/bin/python")
        process.arguments = ["-c", code]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func httpGet(_ h: FomHarness, port: Int, path: String) -> String {
        python(
            """
            import urllib.request
            try:
                r = urllib.request.urlopen("http://127.0.0.1:\(port)\(path)", timeout=5)
                print(r.status, r.read().decode())
            except Exception as e:
                print("ERR", e)
            """)
    }

    func datasetCount(_ h: FomHarness, port: Int) -> String {
        python(
            """
            import json, urllib.request
            req = urllib.request.Request("http://127.0.0.1:\(port)/graphql", data=json.dumps({"query": "{ estimatedDatasetCount }"}).encode(), headers={"Content-Type": "application/json"})
            try:
                print(json.loads(urllib.request.urlopen(req, timeout=10).read())["data"]["estimatedDatasetCount"])
            except Exception as e:
                print("ERR", e)
            """
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The commands of the README's CVAT workflow block, continuation lines joined, as words.
    static func readmeCVATCommands() -> [[String]] {
        let readme = (try? String(contentsOfFile: repoRoot + "/README.md", encoding: .utf8)) ?? ""
        guard let section = readme.range(of: "### Running the CVAT annotation workflow"),
            let open = readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex),
            let close = readme.range(of: "```", range: open.upperBound..<readme.endIndex)
        else { return [] }
        let block = readme[open.upperBound..<close.lowerBound].replacingOccurrences(of: "\\\n", with: " ")
        return block.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.filter { !$0.isEmpty }
    }

    func testDefaultStackRunsRealFiftyOneAndMongoDB() throws {
        let root = Self.repoRoot
        let venvPython = root + "/.venv/bin/python"
        let mongod = root + "/.venv/mongodb/bin/mongod"
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: venvPython),
            "no \(venvPython): run scripts/setup (scripts/test does)")
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: mongod), "no \(mongod): run scripts/setup (scripts/test does)")
        let version = python("import fiftyone; print(fiftyone.__version__)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(version.isEmpty, "FiftyOne cannot be imported from \(venvPython)")
        guard !version.isEmpty else { return }

        // The default configuration, moved to ports of its own.
        let (annotatePort, reviewPort, mongoPort) = (freePort(), freePort(), freePort())
        var config = try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "5151", with: String(annotatePort))
            .replacingOccurrences(of: "5152", with: String(reviewPort))
            .replacingOccurrences(of: "27017", with: String(mongoPort))
        let h = try FomHarness(config: config)
        harness = h
        try FileManager.default.createSymbolicLink(atPath: h.path(".venv"), withDestinationPath: root + "/.venv")
        try FileManager.default.createDirectory(atPath: h.path(".fom/data/db"), withIntermediateDirectories: true)
        // .env.example's credentials, with CVAT_URL pointing at a CVAT stand-in (see DoctorTests).
        let example = try String(contentsOfFile: root + "/.env.example", encoding: .utf8)
        let standIn = try CVATStandIn(.http, user: "fiftyone", password: "change-me")
        cvat = standIn
        try h.write(
            ".env",
            example.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasPrefix("CVAT_URL=") ? "CVAT_URL=\(standIn.url)" : String($0)
            }.joined(separator: "\n"))
        chmod(h.path(".env"), 0o600)
        try FileManager.default.copyItem(atPath: root + "/examples", toPath: h.path("examples"))
        let env = h.read(".env")
        let cvatURL = env.split(separator: "\n").first { $0.hasPrefix("CVAT_URL=") }!.dropFirst(9)
        let cvatUser = env.split(separator: "\n").first { $0.hasPrefix("CVAT_USERNAME=") }!.dropFirst(14)

        // 1. every instance online; GET /fiftyone answers 200 with FiftyOne's version.
        let start = h.fom("start", timeout: 240)
        XCTAssertEqual(
            start.code, 0, start.out + start.err + h.read(".fom/logs/fom.log") + h.read(".fom/logs/annotate.err.log"))
        let list = h.list()
        for name in ["mongodb", "annotate", "review"] {
            XCTAssertEqual(list[name]?["status"] as? String, "online", "\(name): \(list[name] ?? [:])")
        }
        for port in [annotatePort, reviewPort] {
            let answer = httpGet(h, port: port, path: "/fiftyone")
            XCTAssertTrue(
                answer.hasPrefix("200 ") && answer.contains("\"version\"") && answer.contains(version), answer)
        }

        // 2. the CVAT variables reach the synced instance only, and never as CVAT_* themselves.
        let annotateEnv = h.fom("env", "annotate")
        let cvatLines = annotateEnv.out.split(separator: "\n").filter { $0.contains("CVAT") }.map {
            String($0.prefix { $0 != "=" })
        }
        XCTAssertEqual(
            cvatLines, ["FIFTYONE_CVAT_PASSWORD", "FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME"], annotateEnv.out)
        XCTAssertTrue(annotateEnv.out.contains("FIFTYONE_CVAT_PASSWORD=********"))
        let reviewEnv = h.fom("env", "review")
        XCTAssertFalse(reviewEnv.out.contains("CVAT"), reviewEnv.out)
        XCTAssertTrue(reviewEnv.out.contains("FIFTYONE_DATABASE_URI=mongodb://127.0.0.1:\(mongoPort)"), reviewEnv.out)

        // 3. FiftyOne itself reads the credentials.
        let annotateConfig = h.fom("exec", "annotate", "--", ".venv/bin/fiftyone", "annotation", "config", timeout: 120)
        XCTAssertEqual(annotateConfig.code, 0, annotateConfig.err)
        XCTAssertTrue(annotateConfig.out.contains(String(cvatURL)), annotateConfig.out)
        XCTAssertTrue(annotateConfig.out.contains(String(cvatUser)), annotateConfig.out)
        let reviewConfig = h.fom("exec", "review", "--", ".venv/bin/fiftyone", "annotation", "config", timeout: 120)
        XCTAssertEqual(reviewConfig.code, 0, reviewConfig.err)
        XCTAssertTrue(reviewConfig.out.contains("https://app.cvat.ai"), reviewConfig.out)
        XCTAssertFalse(reviewConfig.out.contains(String(cvatURL)), reviewConfig.out)

        // 3b. fom doctor: the whole troubleshooting list passes for annotate, and its FiftyOne
        //     check asked the instance's own FiftyOne (the rules fallback names no version).
        let doctor = h.fom("doctor", "annotate", timeout: 120)
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertEqual(
            doctor.out.split(separator: "\n").filter { $0.hasPrefix("  FAIL") || $0.hasPrefix("  warn") }, [])
        XCTAssertTrue(
            doctor.out.contains(
                "FiftyOne \(version) reads FIFTYONE_CVAT_URL, FIFTYONE_CVAT_USERNAME and FIFTYONE_CVAT_PASSWORD as the files give them"
            ), doctor.out)
        // A fiftyone instance's login is made by FiftyOne's own CVAT client.
        XCTAssertTrue(
            doctor.out.contains(
                "CVAT login as \"fiftyone\" works with FiftyOne \(version)'s CVAT client; logged out again"),
            doctor.out)
        XCTAssertTrue(
            doctor.out.contains("answers its ready check now: GET http://127.0.0.1:\(annotatePort)/fiftyone"),
            doctor.out)
        XCTAssertTrue(doctor.out.contains("MongoDB at 127.0.0.1:\(mongoPort) accepts connections"), doctor.out)
        XCTAssertTrue(standIn.requests.contains("logout with session"), "\(standIn.requests)")
        let doctorJSON = h.fom("doctor", "annotate", "--json", timeout: 120)
        XCTAssertEqual(doctorJSON.code, 0, doctorJSON.err)
        XCTAssertFalse(doctorJSON.out.contains("change-me"), "the password is printed")
        let report = try JSONSerialization.jsonObject(with: Data(doctorJSON.out.utf8)) as? [String: Any]
        let checks = ((report?["instances"] as? [[String: Any]])?.first?["checks"] as? [[String: Any]]) ?? []
        let asked = checks.first { $0["check"] as? String == "fiftyOne" }?["data"] as? [String: String]
        XCTAssertEqual(asked?["asked"], "fiftyone", doctorJSON.out)
        XCTAssertEqual(asked?["version"], version, doctorJSON.out)
        XCTAssertEqual(asked?["python"], h.path(".venv/bin/python"), doctorJSON.out)
        let everyone = h.fom("doctor", timeout: 120)
        XCTAssertEqual(everyone.code, 0, "review only warns that CVAT Sync is off: " + everyone.out + everyone.err)

        // 4. the database is real: a dataset made with the instance's settings is counted by it.
        XCTAssertEqual(datasetCount(h, port: annotatePort), "0")
        let made = h.fom(
            "exec", "annotate", "--", ".venv/bin/python", "-c",
            "import fiftyone as fo; fo.Dataset('fom-e2e', persistent=True); print(fo.list_datasets())", timeout: 120)
        XCTAssertEqual(made.code, 0, made.err)
        XCTAssertTrue(made.out.contains("fom-e2e"), made.out)
        XCTAssertEqual(datasetCount(h, port: annotatePort), "1")
        XCTAssertEqual(datasetCount(h, port: reviewPort), "0", "review has a database of its own name")

        XCTAssertFalse(made.err.contains("oldest supported"), "FiftyOne's MongoDB age warning: \(made.err)")
        XCTAssertFalse(
            h.read(".fom/logs/annotate.err.log").contains("oldest supported"), "the warning is silenced for instances")

        // 4b. the README's CVAT sequence, as written, from a fresh directory: create makes the
        // dataset from generated images, then needs a CVAT server, says so, and leaves no dataset.
        // CVAT is out of reach here: the stand-in above answers logins, not task creation.
        let standInEnv = h.read(".env")
        let unreachable = "http://127.0.0.1:1"
        try h.write(".env", standInEnv.replacingOccurrences(of: "CVAT_URL=\(cvatURL)", with: "CVAT_URL=\(unreachable)"))
        let sequence = Self.readmeCVATCommands()
        XCTAssertEqual(sequence.count, 3, "the README shows create, load and cleanup: \(sequence)")
        if let create = sequence.first {
            XCTAssertEqual(create.first, "fom", create.joined(separator: " "))
            let result = h.run(Array(create.dropFirst()), timeout: 180)
            XCTAssertEqual(result.code, 1, result.out + result.err)
            XCTAssertTrue(result.err.contains("error: cannot reach CVAT at \(unreachable)"), result.err)
            XCTAssertTrue(result.err.contains("wrote 4 generated images"), result.err)
            XCTAssertTrue(result.err.contains("removed dataset 'my-dataset'"), result.err)
            XCTAssertFalse(result.err.contains("Traceback"), result.err)
            let left = h.fom(
                "exec", "annotate", "--", ".venv/bin/python", "-c",
                "import fiftyone as fo; print(fo.dataset_exists('my-dataset'))", timeout: 120)
            XCTAssertEqual(left.out.trimmingCharacters(in: .whitespacesAndNewlines), "False", left.err)
        }
        try h.write(".env", standInEnv)

        // 5. restart gives a new pid and online again; kill -9 of an instance brings it back.
        let before = h.pid("annotate")
        let restart = h.fom("restart", "annotate", timeout: 120)
        XCTAssertEqual(restart.code, 0, restart.err)
        XCTAssertEqual(h.status("annotate"), "online")
        XCTAssertNotEqual(h.pid("annotate"), before)
        let reviewPid = h.pid("review")!
        kill(reviewPid, SIGKILL)
        h.waitUntil("review back online with a new pid", timeout: 120) {
            // One answer for both: the old pid may still show online until the daemon reaps it.
            let row = h.list()["review"]
            return row?["status"] as? String == "online" && (row?["pid"] as? Int).map { $0 != Int(reviewPid) } == true
        }
        let reviewAnswer = httpGet(h, port: reviewPort, path: "/fiftyone")
        XCTAssertTrue(
            reviewAnswer.hasPrefix("200 "),
            reviewAnswer + h.fom("list").out + h.read(".fom/logs/fom.log") + h.read(".fom/logs/review.err.log"))

        // 6. reload applies only the difference: a new CVAT password restarts annotate alone, an
        // edit of review's env restarts review alone; MongoDB keeps its process throughout.
        let pidsBefore = ["mongodb", "annotate", "review"].map { h.pid($0) }
        try h.write(".env", h.read(".env").replacingOccurrences(of: "CVAT_PASSWORD=", with: "CVAT_PASSWORD=reloaded-"))
        let reload = h.fom("reload", timeout: 180)
        XCTAssertEqual(reload.code, 0, reload.out + reload.err)
        XCTAssertTrue(
            reload.out.contains("annotate: restarted (changed: environment.FIFTYONE_CVAT_PASSWORD)"), reload.out)
        XCTAssertEqual(h.status("annotate"), "online")
        XCTAssertNotEqual(h.pid("annotate"), pidsBefore[1])
        XCTAssertEqual(h.pid("review"), pidsBefore[2])
        XCTAssertEqual(h.pid("mongodb"), pidsBefore[0])
        XCTAssertTrue(h.fom("env", "annotate", "--reveal").out.contains("FIFTYONE_CVAT_PASSWORD=reloaded-"))
        let annotatePid = h.pid("annotate")
        try h.write(
            "supervisor.json",
            h.read("supervisor.json").replacingOccurrences(
                of: #""FIFTYONE_DATABASE_NAME": "review""#,
                with: #""FIFTYONE_DATABASE_NAME": "review", "FOM_E2E_RELOADED": "yes""#))
        let edit = h.fom("reload", timeout: 180)
        XCTAssertEqual(edit.code, 0, edit.out + edit.err)
        XCTAssertTrue(edit.out.contains("review: restarted (changed: env.FOM_E2E_RELOADED)"), edit.out)
        XCTAssertEqual(h.status("review"), "online")
        XCTAssertEqual(h.pid("annotate"), annotatePid)
        XCTAssertEqual(h.pid("mongodb"), pidsBefore[0])
        XCTAssertTrue(h.fom("env", "review").out.contains("FOM_E2E_RELOADED=yes"))
        XCTAssertTrue(httpGet(h, port: reviewPort, path: "/fiftyone").hasPrefix("200 "))

        // 7. stop all, kill: nothing of the test is left.
        let stop = h.fom("stop", "all", timeout: 120)
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertEqual(h.fom("kill", timeout: 60).code, 0)
        let leftovers =
            FomHarness.pids(withToken: String(annotatePort)) + FomHarness.pids(withToken: String(reviewPort))
            + FomHarness.pids(withToken: String(mongoPort))
        XCTAssertEqual(leftovers, [], "processes of the test are still running")
    }

    /// `fom edit` and `fom add` / `remove` applied to the real stack: the CVAT Sync checkbox
    /// restarts review alone with the three variables, and a third FiftyOne server added with
    /// one line comes online on its own database. Needs the daemon's reload.
    func testEditAddRemoveApplyToTheRealFiftyOneStack() throws {
        let root = Self.repoRoot
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: root + "/.venv/bin/python"),
            "no .venv/bin/python: run scripts/setup (scripts/test does)")
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: root + "/.venv/mongodb/bin/mongod"),
            "no mongod: run scripts/setup (scripts/test does)")
        let (annotatePort, reviewPort, mongoPort, thirdPort) = (freePort(), freePort(), freePort(), freePort())
        var config = try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "5151", with: String(annotatePort))
            .replacingOccurrences(of: "5152", with: String(reviewPort))
            .replacingOccurrences(of: "27017", with: String(mongoPort))
        let h = try FomHarness(config: config)
        harness = h
        try FileManager.default.createSymbolicLink(atPath: h.path(".venv"), withDestinationPath: root + "/.venv")
        try FileManager.default.createDirectory(atPath: h.path(".fom/data/db"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
        let start = h.fom("start", timeout: 240)
        XCTAssertEqual(start.code, 0, start.out + start.err + h.read(".fom/logs/fom.log"))
        let before = h.list().mapValues { $0["pid"] as? Int }
        func cvat(_ name: String) -> [String] {
            h.fom("env", name).out.split(separator: "\n").filter { $0.contains("CVAT") }.map {
                String($0.prefix { $0 != "=" })
            }
        }
        XCTAssertEqual(cvat("review"), [])

        // The CVAT Sync checkbox, as two commands.
        let on = h.fom("edit", "review", "--cvat-sync", "on", timeout: 180)
        XCTAssertEqual(on.code, 0, on.out + on.err + h.read(".fom/logs/fom.log"))
        XCTAssertTrue(on.out.contains("reload: restarted review (cvatSync)"), on.out)
        XCTAssertEqual(cvat("review"), ["FIFTYONE_CVAT_PASSWORD", "FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME"])
        let afterOn = h.list()
        XCTAssertEqual(afterOn["review"]?["status"] as? String, "online")
        XCTAssertNotEqual(afterOn["review"]?["pid"] as? Int, before["review"] ?? nil)
        XCTAssertEqual(afterOn["annotate"]?["pid"] as? Int, before["annotate"] ?? nil, "annotate untouched")
        XCTAssertEqual(afterOn["mongodb"]?["pid"] as? Int, before["mongodb"] ?? nil, "mongodb untouched")
        XCTAssertTrue(httpGet(h, port: reviewPort, path: "/fiftyone").hasPrefix("200 "))

        let off = h.fom("edit", "review", "--cvat-sync", "off", timeout: 180)
        XCTAssertEqual(off.code, 0, off.out + off.err)
        XCTAssertEqual(cvat("review"), [])
        XCTAssertEqual(h.status("review"), "online")

        // A third FiftyOne server, one line, its own database.
        let add = h.fom("add", "third", "--port", String(thirdPort), timeout: 180)
        XCTAssertEqual(add.code, 0, add.out + add.err + h.read(".fom/logs/third.err.log"))
        XCTAssertTrue(add.out.contains("reload: added third"), add.out)
        guard add.code == 0 else { return }  // already failed; nothing comes online to wait for
        h.waitUntil("third online", timeout: 120) { h.status("third") == "online" }
        let answer = httpGet(h, port: thirdPort, path: "/fiftyone")
        XCTAssertTrue(answer.hasPrefix("200 ") && answer.contains("\"version\""), answer)
        let database = h.fom(
            "exec", "third", "--", ".venv/bin/python", "-c", "import fiftyone as fo; print(fo.config.database_name)",
            timeout: 120)
        XCTAssertEqual(database.out.trimmingCharacters(in: .whitespacesAndNewlines), "third", database.err)
        XCTAssertTrue(h.fom("env", "third").out.contains("FIFTYONE_DATABASE_URI=mongodb://127.0.0.1:\(mongoPort)\n"))
        XCTAssertEqual(h.list()["third"]?["url"] as? String, "http://127.0.0.1:\(thirdPort)")

        let thirdPid = try XCTUnwrap(h.pid("third"))
        let remove = h.fom("remove", "third", timeout: 120)
        XCTAssertEqual(remove.code, 0, remove.out + remove.err)
        XCTAssertTrue(remove.out.contains("reload: removed third (stopped)"), remove.out)
        XCTAssertNil(h.list()["third"])
        XCTAssertFalse(FomHarness.isAlive(thirdPid))
        XCTAssertTrue(
            httpGet(h, port: thirdPort, path: "/fiftyone").hasPrefix("ERR"), "nothing answers on \(thirdPort)")
        XCTAssertEqual(h.status("annotate"), "online")
    }

    /// `fom upgrade` (and a `kill -9` of the daemon) while a real FiftyOne App answers requests
    /// in a loop: the App keeps its process, and not one request fails.
    func testUpgradeWhileAFiftyOneAppAnswersRequestsFailsNoRequest() throws {
        let root = Self.repoRoot
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: root + "/.venv/bin/python"),
            "no .venv/bin/python: run scripts/setup (scripts/test does)")
        let (annotatePort, reviewPort, mongoPort) = (freePort(), freePort(), freePort())
        var config = try String(contentsOfFile: root + "/supervisor.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "5151", with: String(annotatePort))
            .replacingOccurrences(of: "5152", with: String(reviewPort))
            .replacingOccurrences(of: "27017", with: String(mongoPort))
        let h = try FomHarness(config: config)
        harness = h
        try FileManager.default.createSymbolicLink(atPath: h.path(".venv"), withDestinationPath: root + "/.venv")
        try FileManager.default.createDirectory(atPath: h.path(".fom/data/db"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
        let start = h.fom("start", timeout: 240)
        XCTAssertEqual(start.code, 0, start.out + start.err + h.read(".fom/logs/fom.log"))
        guard start.code == 0, let daemon = h.daemonPid() else { return }
        let pids = ["mongodb", "annotate", "review"].map { h.pid($0) }

        // Requests in a loop until the file `stop-requests` appears; then the tally.
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: root + "/.venv/bin/python")
        loop.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        loop.arguments = [
            "-c",
            """
            import os, urllib.request
            ok, failed, errors = 0, 0, []
            while not os.path.exists("stop-requests"):
                try:
                    r = urllib.request.urlopen("http://127.0.0.1:\(annotatePort)/fiftyone", timeout=10)
                    r.read()
                    if r.status == 200:
                        ok += 1
                        if ok % 10 == 1:
                            open("requests-ok", "w").write(str(ok))
                    else:
                        failed += 1
                        errors.append(str(r.status))
                except Exception as e:
                    failed += 1
                    errors.append(repr(e))
            print(ok, failed, errors[:5])
            """,
        ]
        let tally = Pipe()
        loop.standardOutput = tally
        try loop.run()
        func answered() -> Int { Int(h.read("requests-ok")) ?? 0 }
        h.waitUntil("requests are answered") { answered() > 10 }
        usleep(300_000)
        for round in 1...3 {
            let upgrade = h.fom("upgrade", timeout: 120)
            XCTAssertEqual(upgrade.code, 0, "round \(round): " + upgrade.err)
            XCTAssertEqual(h.daemonPid(), daemon)
            usleep(300_000)
        }
        // A crash of the daemon costs the App nothing either.
        kill(daemon, SIGKILL)
        h.waitUntil("the daemon is gone") { !FomHarness.isAlive(daemon) }
        usleep(300_000)
        XCTAssertEqual(h.fom("ping").code, 0)
        h.waitUntil("every instance online again", timeout: 60) {
            ["mongodb", "annotate", "review"].allSatisfy { h.status($0) == "online" }
        }
        let seen = answered()
        h.waitUntil("requests are still answered") { answered() > seen + 10 }
        try h.write("stop-requests", "")
        let output = String(decoding: tally.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        loop.waitUntilExit()
        let words = output.split(separator: " ")
        XCTAssertGreaterThan(Int(words.first ?? "") ?? 0, 10, "too few requests answered: \(output)")
        XCTAssertEqual(words.count > 1 ? String(words[1]) : "?", "0", "requests failed: \(output)")
        XCTAssertEqual(["mongodb", "annotate", "review"].map { h.pid($0) }, pids, "an instance was restarted")
    }
}
