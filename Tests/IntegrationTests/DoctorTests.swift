import Foundation
import XCTest

/// `fom doctor` against a CVAT stand-in (CVATStandIn): every check of the troubleshooting list,
/// as the user reads it (plain words, since the output is not a terminal), with exit codes.
final class DoctorTests: XCTestCase {
    var harness: FomHarness!
    var standIns: [CVATStandIn] = []

    override func tearDown() {
        harness?.tearDown()
        harness = nil
        for standIn in standIns { standIn.stop() }
        standIns = []
        for fd in listeners { close(fd) }
        listeners = []
    }

    func standIn(_ mode: CVATStandIn.Mode, password: String = "s3cret-pass") throws -> CVATStandIn {
        let server = try CVATStandIn(mode, password: password)
        standIns.append(server)
        return server
    }

    /// One process instance with CVAT Sync, `.env` pointing at `url`; started unless told not to.
    @discardableResult
    func makeHarness(
        url: String, user: String = "fiftyone", password: String? = "s3cret-pass", instanceEnv: [String: String] = [:],
        start: Bool = true, file: StaticString = #filePath, line: UInt = #line
    ) throws -> FomHarness {
        let env = String(decoding: try JSONSerialization.data(withJSONObject: instanceEnv), as: UTF8.self)
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "worker", "kind": "process", "cvatSync": true,
                                "command": ["sleep", "600"], "env": \(env)}]}
                """)
        harness = h
        var dotenv = "CVAT_URL=\(url)\nCVAT_USERNAME=\(user)\n"
        if let password { dotenv += "CVAT_PASSWORD='\(password)'\n" }
        try h.write(".env", dotenv)
        chmod(h.path(".env"), 0o600)
        if start {
            let started = h.fom("start", "worker")
            XCTAssertEqual(started.code, 0, started.out + started.err, file: file, line: line)
        }
        return h
    }

    /// The check lines of doctor's plain output that start with `word` (ok, warn, FAIL).
    func lines(_ result: FomHarness.Result, _ word: String) -> [String] {
        result.out.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  \(word) ") }
    }

    /// Every FAIL line is followed by its fix.
    func assertEveryFailureHasAFix(_ result: FomHarness.Result, file: StaticString = #filePath, line: UInt = #line) {
        let all = result.out.split(separator: "\n").map(String.init)
        for (i, text) in all.enumerated() where text.hasPrefix("  FAIL ") {
            XCTAssertTrue(
                i + 1 < all.count && all[i + 1].trimmingCharacters(in: .whitespaces).hasPrefix("fix: "),
                "no fix under: \(text)", file: file, line: line)
        }
    }

    /// Listeners a test opened, closed at its end.
    var listeners: [Int32] = []

    /// A port that accepts TCP connections (into the backlog) until the test ends.
    func listeningPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        listen(fd, 16)
        listeners.append(fd)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A port nothing listens on: the kernel picks it, and it is closed again.
    func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
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

    func testGoodCredentialsPassEveryCheckOverHTTP() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertEqual(lines(doctor, "FAIL") + lines(doctor, "warn"), [], doctor.out)
        XCTAssertEqual(lines(doctor, "ok").count, 6, doctor.out)
        XCTAssertTrue(doctor.out.contains("CVAT at \(cvat.url) answers: CVAT version 2.99.0-standin"), doctor.out)
        XCTAssertTrue(doctor.out.contains("CVAT login as \"fiftyone\" works; logged out again"), doctor.out)
        XCTAssertTrue(doctor.out.contains("as the files give them now"), doctor.out)
        XCTAssertTrue(doctor.out.hasSuffix("doctor: nothing failed\n"), doctor.out)
        XCTAssertFalse(doctor.out.contains("✓"), "plain words when the output is not a terminal")
        // FiftyOne's requests, with the session CVAT gave: it is good for the API, then ended.
        XCTAssertEqual(
            cvat.requests,
            [
                "GET /api/server/about", "POST /api/auth/login", "GET /api/users/self", "self with session",
                "POST /api/auth/logout", "logout with session",
            ])
        let json = h.fom("doctor", "--json")
        XCTAssertEqual(json.code, 0, json.err)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        XCTAssertEqual(object?["ok"] as? Bool, true)
        for output in [doctor.out, doctor.err, json.out, json.err] {
            XCTAssertFalse(output.contains("s3cret-pass"), "the password is printed: \(output)")
        }
    }

    func testTrustedCertificateOverHTTPSPassesEveryCheck() throws {
        let cvat = try standIn(.tls)
        let h = try makeHarness(url: cvat.url, instanceEnv: ["SSL_CERT_FILE": cvat.certificate!])
        let doctor = h.fom("doctor", "worker")
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertEqual(lines(doctor, "FAIL") + lines(doctor, "warn"), [], doctor.out)
        XCTAssertTrue(doctor.out.contains("CVAT at https://127.0.0.1:\(cvat.port) answers"), doctor.out)
        XCTAssertTrue(cvat.requests.contains("logout with session"), "\(cvat.requests)")
    }

    func testSelfSignedCertificateIsACertificateFailure() throws {
        let cvat = try standIn(.tls)
        let h = try makeHarness(url: cvat.url)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        let failed = lines(doctor, "FAIL")
        XCTAssertEqual(failed.count, 1, doctor.out)
        XCTAssertTrue(failed.first?.contains("the TLS certificate is not trusted") == true, doctor.out)
        XCTAssertTrue(failed.first?.contains("self-signed") == true, doctor.out)
        XCTAssertTrue(lines(doctor, "warn").contains { $0.contains("login not tried") }, doctor.out)
        assertEveryFailureHasAFix(doctor)
        XCTAssertFalse(cvat.requests.contains { $0.contains("login") }, "no password to an untrusted server")
    }

    func testWrongPasswordIsReportedAsWrongCredentials() throws {
        let cvat = try standIn(.http, password: "the-right-one")
        let h = try makeHarness(url: cvat.url, password: "a-wrong-one")
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "FAIL"),
            ["  FAIL the CVAT credentials are wrong: CVAT refuses the login as \"fiftyone\" (HTTP 400)"], doctor.out)
        XCTAssertEqual(lines(doctor, "ok").filter { $0.contains("CVAT at") }.count, 1, "the server itself is fine")
        XCTAssertFalse(doctor.out.contains("unreachable") || doctor.out.contains("TLS"), doctor.out)
        XCTAssertFalse(cvat.requests.contains("GET /api/users/self"), "no session to try")
        assertEveryFailureHasAFix(doctor)
        XCTAssertTrue(doctor.out.contains("fix: correct CVAT_USERNAME / CVAT_PASSWORD in \(h.path(".env"))"))
        XCTAssertFalse(doctor.out.contains("a-wrong-one") || doctor.out.contains("the-right-one"), doctor.out)
    }

    /// A fiftyone instance (not started: it needs no database for this) whose python is the
    /// repository's .venv, with FiftyOne 1.22.1: doctor logs in with FiftyOne's own CVAT client.
    func makeFiftyOneHarness(url: String, password: String) throws -> FomHarness? {
        let python = DashboardBrowserTests.repository + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            XCTFail("\(python) is missing: run scripts/setup (it makes the .venv with FiftyOne)")
            return nil
        }
        // Its database: a port that accepts connections, which is all doctor's check asks of it.
        let database = listeningPort()
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "app", "kind": "fiftyone", "port": \(FomHarness.freePort()), "cvatSync": true,
                                "python": "\(python)", "env": {"FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:\(database)"}}]}
                """)
        harness = h
        try h.write(".env", "CVAT_URL=\(url)\nCVAT_USERNAME=fiftyone\nCVAT_PASSWORD='\(password)'\n")
        chmod(h.path(".env"), 0o600)
        return h
    }

    func testFiftyOneInstanceLogsInWithFiftyOnesOwnCVATClient() throws {
        let cvat = try standIn(.http)
        guard let h = try makeFiftyOneHarness(url: cvat.url, password: "s3cret-pass") else { return }
        let doctor = h.fom("doctor", timeout: 60)
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertEqual(lines(doctor, "FAIL"), [], doctor.out)
        let login = lines(doctor, "ok").first { $0.contains("CVAT login as") }
        XCTAssertTrue(login?.contains("CVAT login as \"fiftyone\" works with FiftyOne 1.") == true, doctor.out)
        XCTAssertTrue(login?.hasSuffix("'s CVAT client; logged out again") == true, doctor.out)
        // What CVATAnnotationAPI sends: the login, then the server's version with the session.
        let requests = cvat.requests
        XCTAssertTrue(requests.contains("POST /api/auth/login"), "\(requests)")
        XCTAssertTrue(requests.contains("self with session"), "\(requests)")
        XCTAssertTrue(requests.contains("logout with session"), "\(requests)")
        XCTAssertFalse(requests.contains("self without session"), "\(requests)")
        XCTAssertFalse(doctor.out.contains("s3cret-pass") || doctor.err.contains("s3cret-pass"))
    }

    func testFiftyOneInstanceWithAWrongPasswordIsToldTheCVATCredentialsAreWrong() throws {
        let cvat = try standIn(.http, password: "the-right-one")
        guard let h = try makeFiftyOneHarness(url: cvat.url, password: "a-wrong-one") else { return }
        let doctor = h.fom("doctor", timeout: 60)
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        let failed = lines(doctor, "FAIL")
        XCTAssertEqual(failed.count, 1, doctor.out)
        XCTAssertTrue(
            failed.first?.hasPrefix(
                "  FAIL the CVAT credentials are wrong: CVAT refuses the login as \"fiftyone\" with FiftyOne 1.")
                == true,
            doctor.out)
        XCTAssertTrue(failed.first?.hasSuffix("'s CVAT client (HTTP 400)") == true, doctor.out)
        assertEveryFailureHasAFix(doctor)
        XCTAssertTrue(
            doctor.out.contains("fix: correct CVAT_USERNAME / CVAT_PASSWORD in \(h.path(".env"))"), doctor.out)
        XCTAssertFalse(doctor.out.contains("a-wrong-one") || doctor.out.contains("the-right-one"), doctor.out)
    }

    func testClosedPortIsUnreachableWithinSeconds() throws {
        let port = closedPort()
        let h = try makeHarness(url: "http://127.0.0.1:\(port)")
        let began = Date()
        let doctor = h.fom("doctor")
        let took = Date().timeIntervalSince(began)
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertTrue(
            lines(doctor, "FAIL").contains {
                $0.contains("is unreachable: connection refused, nothing listens on 127.0.0.1:\(port)")
            }, doctor.out)
        assertEveryFailureHasAFix(doctor)
        XCTAssertLessThan(took, 15, "doctor took \(took)s against a closed port")
    }

    func testServerThatNeverAnswersIsReportedWithinFifteenSeconds() throws {
        let cvat = try standIn(.silent)
        let h = try makeHarness(url: cvat.url)
        let began = Date()
        let doctor = h.fom("doctor")
        let took = Date().timeIntervalSince(began)
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertTrue(
            lines(doctor, "FAIL").contains { $0.contains("accepts the connection but does not answer within") },
            doctor.out)
        assertEveryFailureHasAFix(doctor)
        XCTAssertLessThan(took, 15, "doctor took \(took)s against a server that never answers")
    }

    func testUnresolvableHostIsNamedAsADNSFailure() throws {
        let h = try makeHarness(url: "http://cvat-doctor-test.invalid:8080")
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertTrue(
            lines(doctor, "FAIL").contains {
                $0.contains("is unreachable: DNS") && $0.contains("cvat-doctor-test.invalid")
            },
            doctor.out)
    }

    func testCommaPasswordIsAWarningAboutWhatFiftyOneMakesOfIt() throws {
        let cvat = try standIn(.http, password: "one,two")
        let h = try makeHarness(url: cvat.url, password: "one,two")
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, "warnings only: " + doctor.out + doctor.err)
        let warned = lines(doctor, "warn")
        XCTAssertEqual(warned.count, 1, doctor.out)
        XCTAssertTrue(
            warned.first?.contains("FiftyOne would read FIFTYONE_CVAT_PASSWORD as a list of 2 values") == true,
            doctor.out)
        XCTAssertTrue(doctor.out.contains("login as \"fiftyone\" works"), "the .env itself is right: \(doctor.out)")
        XCTAssertFalse(doctor.out.contains("one,two"), doctor.out)
    }

    func testNumericPasswordIsAWarningAboutWhatFiftyOneMakesOfIt() throws {
        let cvat = try standIn(.http, password: "20240917")
        let h = try makeHarness(url: cvat.url, password: "20240917")
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, "warnings only: " + doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "warn").filter { $0.contains("FIFTYONE_CVAT_PASSWORD as a whole number") }.count, 1,
            doctor.out)
        XCTAssertFalse(doctor.out.contains("20240917"), doctor.out)
    }

    func testCVATHeadersVariableIsAWarning() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url, instanceEnv: ["FIFTYONE_CVAT_HEADERS": "{\"X-Team\": \"a\"}"])
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, "warnings only: " + doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "warn"),
            ["  warn FIFTYONE_CVAT_HEADERS is set: FiftyOne keeps it as text, which it cannot use as headers"],
            doctor.out)
    }

    func testChangedEnvFileMeansRestartNeeded() throws {
        let cvat = try standIn(.http, password: "new-password")
        let h = try makeHarness(url: cvat.url, password: "old-password")
        try h.write(".env", "CVAT_URL=\(cvat.url)\nCVAT_USERNAME=fiftyone\nCVAT_PASSWORD=new-password\n")
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "FAIL"),
            ["  FAIL restart needed: FIFTYONE_CVAT_PASSWORD changed in the files since it started"], doctor.out)
        XCTAssertTrue(doctor.out.contains("fix: fom restart worker"), doctor.out)
        XCTAssertFalse(doctor.out.contains("old-password") || doctor.out.contains("new-password"), doctor.out)

        XCTAssertEqual(h.fom("restart", "worker").code, 0)
        let after = h.fom("doctor")
        XCTAssertEqual(after.code, 0, after.out + after.err)
    }

    func testMissingPasswordIsNamed() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url, password: nil, start: false)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "FAIL"),
            ["  FAIL CVAT Sync is on but CVAT_PASSWORD is missing or empty in \(h.path(".env"))"], doctor.out)
        XCTAssertTrue(doctor.out.contains("fix: add CVAT_PASSWORD=... to \(h.path(".env"))"), doctor.out)
    }

    func testDoctorWithoutDaemonChecksWhatItCanAndStartsNothing() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url, start: false)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertTrue(doctor.out.hasPrefix("worker (id 0, process, no daemon)\n"), doctor.out)
        XCTAssertTrue(lines(doctor, "warn").contains("  warn not running (no daemon)"), doctor.out)
        XCTAssertTrue(doctor.out.contains("login as \"fiftyone\" works"), doctor.out)
        XCTAssertNil(h.daemonPid().flatMap { FomHarness.isAlive($0) ? $0 : nil }, "doctor must not start the daemon")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path(".fom/fom.sock")))
    }

    func testEnvFileReadableByOthersIsAWarningWithChmod() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url, start: false)
        chmod(h.path(".env"), 0o644)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertTrue(
            lines(doctor, "warn").contains { $0.contains("other users can read \(h.path(".env")) (mode 644)") },
            doctor.out)
        XCTAssertTrue(doctor.out.contains("fix: chmod 600 \(h.path(".env"))"), doctor.out)
    }

    func testWithoutAnyPythonDoctorSaysSoAndChecksTheRest() throws {
        let cvat = try standIn(.http)
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "worker", "kind": "process", "cvatSync": true,
                                "command": ["/bin/sleep", "600"], "env": {"PATH": "/nonexistent"}}]}
                """)
        harness = h
        try h.write(".env", "CVAT_URL=\(cvat.url)\nCVAT_USERNAME=fiftyone\nCVAT_PASSWORD=s3cret-pass\n")
        chmod(h.path(".env"), 0o600)
        XCTAssertEqual(h.fom("start", "worker").code, 0)
        let doctor = h.fom("doctor")
        XCTAssertEqual(doctor.code, 0, doctor.out + doctor.err)
        XCTAssertTrue(
            lines(doctor, "warn").contains {
                $0.contains(
                    "not checked: no python3 found (doctor's network checks run in the instance's python, else python3)"
                )
            }, doctor.out)
        XCTAssertTrue(doctor.out.contains("as the files give them now"), doctor.out)
        XCTAssertEqual(cvat.requests, [], "nothing could ask the server")
    }

    func testInstanceThatStoppedAnsweringFailsItsReadyCheckNow() throws {
        // Online after one answer to its ready check; then it closes its port and lives on.
        let port = closedPort()
        let server =
            "import http.server, time; s = http.server.HTTPServer(('127.0.0.1', \(port)), http.server.SimpleHTTPRequestHandler); s.handle_request(); s.server_close(); time.sleep(600)"
        let command = String(
            decoding: try JSONSerialization.data(withJSONObject: ["python3", "-c", server]), as: UTF8.self)
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "web", "kind": "process", "port": \(port), "command": \(command),
                                "ready": {"http": "/"}}]}
                """)
        harness = h
        let started = h.fom("start", "web")
        XCTAssertEqual(started.code, 0, started.out + started.err)
        let doctor = h.fom("doctor", "web")
        XCTAssertEqual(doctor.code, 1, doctor.out + doctor.err)
        XCTAssertEqual(
            lines(doctor, "FAIL"),
            ["  FAIL does not answer its ready check now: GET http://127.0.0.1:\(port)/: connect: Connection refused"],
            doctor.out)
        XCTAssertTrue(doctor.out.contains("fix: see 'fom logs web' and 'fom describe web'"), doctor.out)
        XCTAssertTrue(lines(doctor, "warn").contains { $0.contains("CVAT Sync is off") }, doctor.out)
    }

    func testUnknownInstanceIsAnErrorWithASuggestion() throws {
        let cvat = try standIn(.http)
        let h = try makeHarness(url: cvat.url, start: false)
        let doctor = h.fom("doctor", "wroker")
        XCTAssertEqual(doctor.code, 1)
        XCTAssertTrue(doctor.err.contains("did you mean \"worker\""), doctor.err)
    }
}
