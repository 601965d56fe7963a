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
    func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

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
            // One answer for both: the old pid may still show online until the daemon reaps it.
            let row = h.list()["review"]
            return row?["status"] as? String == "online" && (row?["pid"] as? Int).map { $0 != Int(reviewPid) } == true
        }
        XCTAssertTrue(httpGet(h, port: reviewPort, path: "/fiftyone").hasPrefix("200 "))

        // 6. stop all, kill: nothing of the test is left.
        let stop = h.fom("stop", "all", timeout: 120)
        XCTAssertEqual(stop.code, 0, stop.err)
        XCTAssertEqual(h.fom("kill", timeout: 60).code, 0)
        let leftovers =
            FomHarness.pids(withToken: String(annotatePort)) + FomHarness.pids(withToken: String(reviewPort))
            + FomHarness.pids(withToken: String(mongoPort))
        XCTAssertEqual(leftovers, [], "processes of the test are still running")
    }
}
