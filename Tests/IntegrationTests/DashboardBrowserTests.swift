import Foundation
import XCTest

/// `fom ui` in a real browser: headless Chromium driven by selenium (both installed by
/// scripts/setup) runs Tests/IntegrationTests/Browser/dashboard_test.py against a real daemon and
/// a scratch stack: a /bin/sh "mongodb", two fake FiftyOne servers (annotate with CVAT Sync,
/// review) and a /bin/sh worker. The script prints "ok: ..." per check; this test asserts on every
/// one of them and on its exit code.
final class DashboardBrowserTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let browserDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Browser"
    ).path

    /// The stack, started, and `fom ui --port 0` serving it; returns the URL it printed.
    func startStack() throws -> (FomHarness, String) {
        let h = try FomHarness(
            config: """
                {
                  "instances": [
                    {"name": "mongodb", "kind": "process", "command": ["/bin/sh", "-c", "echo mongodb stand-in up; exec sleep 100000"]},
                    {"name": "annotate", "port": \(FomHarness.freePort()), "cvatSync": true, "dependsOn": ["mongodb"]},
                    {"name": "review", "port": \(FomHarness.freePort()), "dependsOn": ["mongodb"]},
                    {"name": "worker", "kind": "process", "command": ["/bin/sh", "-c", "echo worker up; exec sleep 100000"]}
                  ]
                }

                """)
        harness = h
        // fiftyone instances run {python} -m fiftyone.server.main: the directory's .venv/bin/python
        // is a stand-in that answers the ready check and prints what it is told to.
        try FileManager.default.createDirectory(atPath: h.path(".venv/bin"), withIntermediateDirectories: true)
        try h.write(
            ".venv/bin/python",
            "#!/bin/sh\nexec /usr/bin/python3 -u '\(Self.browserDirectory)/fake_fiftyone.py' \"$@\"\n")
        chmod(h.path(".venv/bin/python"), 0o755)
        try h.write(".env", "CVAT_URL=http://cvat.test:8080\nCVAT_USERNAME=annotator\nCVAT_PASSWORD=s3cret\n")
        let start = h.fom("start")
        XCTAssertEqual(start.code, 0, start.out + start.err)
        try h.startInBackground(["ui", "--port", "0"], stdout: "ui.out", stderr: "ui.err")
        var url = ""
        _ = h.waitUntil("fom ui prints its URL") {
            url =
                h.read("ui.out").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("http://127.0.0.1:") } ?? ""
            return !url.isEmpty
        }
        return (h, url)
    }

    func testTheDashboardInHeadlessChromium() throws {
        let python = Self.repository + "/.venv/bin/python"
        for tool in [python, "/usr/bin/chromium", "/usr/bin/chromedriver"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                return XCTFail(
                    "\(tool) is missing: run scripts/setup (it installs chromium, chromium-driver and selenium)")
            }
        }
        let (h, url) = try startStack()
        XCTAssertTrue(url.contains("/?token="), url)
        let screenshot = ProcessInfo.processInfo.environment["FOM_DASHBOARD_SCREENSHOT"] ?? h.path("dashboard.png")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            Self.browserDirectory + "/dashboard_test.py", "--url", url, "--fom", h.binary, "--dir", h.dir,
            "--screenshot", screenshot, "--add-port", String(FomHarness.freePort()),
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        let output = h.path("browser.out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return XCTFail("the browser test did not finish in 300 s:\n" + h.read("browser.out"))
        }
        let text = h.read("browser.out")
        XCTAssertEqual(process.terminationStatus, 0, text + "\nfom ui stderr:\n" + h.read("ui.err"))
        for check in [
            "ok: without the token the page and the API are refused (401)",
            "ok: /metrics parses with prometheus_client",
            "ok: a change without a matching Origin or X-Fom is refused (403)",
            "ok: the browser without the token is refused",
            "ok: with the token the table lists every instance: ['annotate', 'mongodb', 'review', 'worker']",
            "ok: screenshot",
            "ok: the port links to the instance's FiftyOne App",
            "ok: clicking restart gives the row a new pid",
            "ok: unticking CVAT Sync removes the FIFTYONE_CVAT_* variables from fom env and says it restarted",
            "ok: a line the instance prints appears in the live log view",
            "ok: kill -9 of worker shows the new pid without a reload",
            "ok: adding an instance through the form (by keyboard) brings it online",
            "ok: a refused add shows its error beside the field",
            "ok: remove after a confirmation takes the instance out of the table and of fom list",
            "ok: details show describe's answer",
            "ok: a phone-sized window does not scroll sideways",
            "all checks passed",
        ] {
            XCTAssertTrue(text.contains(check), "missing \"\(check)\" in:\n\(text)")
        }
        let png = FileManager.default.contents(atPath: screenshot) ?? Data()
        XCTAssertEqual(
            Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "no PNG at \(screenshot)")
    }
}
