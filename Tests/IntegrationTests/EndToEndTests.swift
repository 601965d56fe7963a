import Foundation
import XCTest

/// Real FiftyOne App servers and a real MongoDB under fom, checked the way users check them.
/// Needs `scripts/setup` to have run (scripts/test does it); without FiftyOne it fails, loudly.
final class EndToEndTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
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
        try FileManager.default.copyItem(atPath: root + "/.env.example", toPath: h.path(".env"))
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

        // 4. the database is real: a dataset made with the instance's settings is counted by it.
        XCTAssertEqual(datasetCount(h, port: annotatePort), "0")
        let made = h.fom(
            "exec", "annotate", "--", ".venv/bin/python", "-c",
            "import fiftyone as fo; fo.Dataset('fom-e2e', persistent=True); print(fo.list_datasets())", timeout: 120)
        XCTAssertEqual(made.code, 0, made.err)
        XCTAssertTrue(made.out.contains("fom-e2e"), made.out)
        XCTAssertEqual(datasetCount(h, port: annotatePort), "1")
        XCTAssertEqual(datasetCount(h, port: reviewPort), "0", "review has a database of its own name")

        // 5. restart gives a new pid and online again; kill -9 of an instance brings it back.
        let before = h.pid("annotate")
        let restart = h.fom("restart", "annotate", timeout: 120)
        XCTAssertEqual(restart.code, 0, restart.err)
        XCTAssertEqual(h.status("annotate"), "online")
        XCTAssertNotEqual(h.pid("annotate"), before)
        let reviewPid = h.pid("review")!
        kill(reviewPid, SIGKILL)
        h.waitUntil("review back online with a new pid", timeout: 120) {
            h.status("review") == "online" && h.pid("review").map { $0 != reviewPid } == true
        }
        XCTAssertTrue(httpGet(h, port: reviewPort, path: "/fiftyone").hasPrefix("200 "))

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
