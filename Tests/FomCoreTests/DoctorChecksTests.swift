import FomCore
import XCTest

/// doctor's verdicts from facts: which line, which status, which fix; never a secret's value.
final class DoctorChecksTests: XCTestCase {
    static let env: [String: String] = [
        "FIFTYONE_CVAT_URL": "http://cvat.local:8080", "FIFTYONE_CVAT_USERNAME": "fiftyone",
        "FIFTYONE_CVAT_PASSWORD": "s3cret-pass", "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
        "PATH": "/usr/bin",
    ]

    func facts(
        kind: InstanceKind = .fiftyone, next: [String: String]? = env, running: [String: String]? = env,
        probe: DoctorProbeResult? = nil, mode: UInt32? = 0o600
    ) -> DoctorFacts {
        var result = DoctorFacts(
            name: "annotate", kind: kind, cvatSync: true, process: .running(pid: 42, status: "online"),
            envFile: DoctorEnvFile(path: "/srv/.env", mode: mode, readable: true), next: next,
            runningEnvironment: running, ready: .answered("GET http://127.0.0.1:5151/fiftyone"))
        result.probe = probe
        result.options = DoctorChecks.probeOptions(result)
        return result
    }

    func goodProbe() -> DoctorProbeResult {
        var probe = DoctorProbeResult()
        probe.server = .answered(version: "2.22.0", name: "CVAT")
        probe.login = .answered(DoctorLoginAnswer(status: 200, session: "200", logout: "200"))
        probe.fiftyOne = .read(
            version: "1.22.1", method: "fiftyone.core.config.load_annotation_config()", hasBackend: true,
            values: [
                "url": DoctorFiftyOneValue(kind: "text", same: true, sameText: true),
                "username": DoctorFiftyOneValue(kind: "text", same: true, sameText: true),
                "password": DoctorFiftyOneValue(kind: "text", same: true, sameText: true),
            ])
        probe.tcp = [DoctorTCPOutcome(server: MongoURI.Server(host: "127.0.0.1", port: 27017), failure: nil)]
        probe.finished = true
        return probe
    }

    func line(_ lines: [DoctorLine], _ check: DoctorCheck) -> DoctorLine? { lines.first { $0.check == check } }

    func testEverythingRightIsAllOkInTheListsOrder() {
        let lines = DoctorChecks.lines(facts(probe: goodProbe()))
        XCTAssertEqual(lines.map(\.status), Array(repeating: .ok, count: 7), "\(lines)")
        XCTAssertEqual(
            lines.map(\.check), [.envFile, .restart, .server, .login, .fiftyOne, .ready, .database])
        XCTAssertEqual(line(lines, .server)?.message, "CVAT at http://cvat.local:8080 answers: CVAT version 2.22.0")
        XCTAssertEqual(line(lines, .fiftyOne)?.data["asked"], "fiftyone")
        XCTAssertFalse(lines.contains { $0.message.contains("s3cret-pass") })
    }

    func testProbeOptionsAskOnlyWhatTheInstanceNeeds() {
        let full = DoctorChecks.probeOptions(facts())
        XCTAssertTrue(full.cvat && full.fiftyOne)
        XCTAssertEqual(full.tcp, [MongoURI.Server(host: "127.0.0.1", port: 27017)])
        var plain = facts(kind: .process, next: ["PATH": "/usr/bin"])
        plain.cvatSync = false
        XCTAssertTrue(DoctorChecks.probeOptions(plain).isEmpty)
        XCTAssertFalse(full.argument.contains("s3cret"), "no secret on the probe's command line")
    }

    func testMissingInputsAreNamedWithTheFile() {
        var f = facts(next: nil, running: nil)
        f.nextError = "annotate: cvatSync is on but CVAT_PASSWORD is missing or empty (set it in /srv/.env)"
        f.missingCVATInputs = ["CVAT_PASSWORD"]
        let env = line(DoctorChecks.lines(f), .envFile)
        XCTAssertEqual(env?.status, .fail)
        XCTAssertEqual(env?.message, "CVAT Sync is on but CVAT_PASSWORD is missing or empty in /srv/.env")
        XCTAssertEqual(env?.fix, "add CVAT_PASSWORD=... to /srv/.env, then 'fom restart annotate'")
    }

    func testMissingEnvFileFailsAndPrivateModeIsWanted() {
        var f = facts(next: nil, mode: nil)
        f.nextError = "x"
        f.missingCVATInputs = ["CVAT_URL", "CVAT_USERNAME", "CVAT_PASSWORD"]
        XCTAssertEqual(
            DoctorChecks.lines(f).first?.message,
            "/srv/.env does not exist, so CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD are not set")
        let open = DoctorChecks.lines(facts(probe: goodProbe(), mode: 0o644))
        let warn = open.first { $0.status == .warn }
        XCTAssertEqual(warn?.message, "other users can read /srv/.env (mode 644), which holds the CVAT password")
        XCTAssertEqual(warn?.fix, "chmod 600 /srv/.env")
    }

    func testURLThatIsNotHTTPFailsAndATrailingSlashWarns() {
        var next = Self.env
        next["FIFTYONE_CVAT_URL"] = "cvat.local:8080"
        let bad = DoctorChecks.lines(facts(next: next, running: next))
        XCTAssertEqual(line(bad, .envFile)?.status, .fail)
        XCTAssertNil(line(bad, .server), "no server check without a URL")
        next["FIFTYONE_CVAT_URL"] = "http://cvat.local:8080/"
        let slash = DoctorChecks.lines(facts(next: next, running: next, probe: goodProbe()))
        XCTAssertTrue(slash.contains { $0.status == .warn && $0.message.contains("ends with '/'") })
    }

    func testChangedOrMissingVariablesMeanRestartNeededWithoutValues() {
        var running = Self.env
        running["FIFTYONE_CVAT_PASSWORD"] = "old-pass"
        running["FIFTYONE_CVAT_URL"] = nil
        let restart = line(DoctorChecks.lines(facts(running: running, probe: goodProbe())), .restart)
        XCTAssertEqual(restart?.status, .fail)
        XCTAssertEqual(
            restart?.message,
            "restart needed: the running process (pid 42) has no FIFTYONE_CVAT_URL; FIFTYONE_CVAT_PASSWORD changed in the files since it started"
        )
        XCTAssertEqual(restart?.fix, "fom restart annotate")
        XCTAssertFalse(restart!.message.contains("old-pass") || restart!.message.contains("s3cret"))
        var stopped = facts(running: nil, probe: goodProbe())
        stopped.process = .notRunning(status: "stopped")
        stopped.ready = .notRunning
        let lines = DoctorChecks.lines(stopped)
        XCTAssertEqual(line(lines, .restart)?.status, .ok)
        XCTAssertEqual(line(lines, .ready)?.message, "not running (stopped)")
        XCTAssertEqual(line(lines, .ready)?.status, .warn)
    }

    func testEachNetworkFailureIsNamed() {
        let cases: [(String, String)] = [
            ("refused", "is unreachable: connection refused, nothing listens on cvat.local:8080"),
            ("dns", "is unreachable: DNS cannot resolve cvat.local"),
            ("dnsTimeout", "is unreachable: DNS did not resolve cvat.local within 3s"),
            ("connectTimeout", "is unreachable: no answer to the connection within 3s"),
            ("noAnswer", "accepts the connection but does not answer within 4s"),
            ("certificate", "the TLS certificate is not trusted"),
            ("tls", "the TLS handshake failed"),
        ]
        for (kind, phrase) in cases {
            var probe = goodProbe()
            probe.server = .failed(DoctorNetworkFailure(kind: kind, detail: ""))
            probe.login = .skipped
            let lines = DoctorChecks.lines(facts(probe: probe))
            let server = line(lines, .server)
            XCTAssertEqual(server?.status, .fail, kind)
            XCTAssertTrue(server?.message.contains(phrase) == true, "\(kind): \(server?.message ?? "")")
            XCTAssertNotNil(server?.fix)
            XCTAssertEqual(line(lines, .login)?.status, .warn)
        }
    }

    func testLoginStatuses() {
        var probe = goodProbe()
        probe.login = .answered(DoctorLoginAnswer(status: 400, refusal: ["non_field_errors"]))
        let wrong = line(DoctorChecks.lines(facts(probe: probe)), .login)
        XCTAssertEqual(wrong?.status, .fail)
        XCTAssertEqual(
            wrong?.message, "the CVAT credentials are wrong: CVAT refuses the login as \"fiftyone\" (HTTP 400)")
        XCTAssertTrue(wrong?.fix?.contains("correct CVAT_USERNAME / CVAT_PASSWORD in /srv/.env") == true)
        probe.login = .answered(
            DoctorLoginAnswer(status: 400, refusal: ["non_field_errors"], client: "FiftyOne 1.22.1"))
        XCTAssertEqual(
            line(DoctorChecks.lines(facts(probe: probe)), .login)?.message,
            "the CVAT credentials are wrong: CVAT refuses the login as \"fiftyone\" with FiftyOne 1.22.1's CVAT client (HTTP 400)"
        )
        probe.login = .answered(DoctorLoginAnswer(status: 400, refusal: ["password"]))
        XCTAssertEqual(
            line(DoctorChecks.lines(facts(probe: probe)), .login)?.message,
            "CVAT refuses the login as \"fiftyone\": it does not take the password given (HTTP 400)")
        probe.login = .answered(DoctorLoginAnswer(status: 503))
        XCTAssertEqual(
            line(DoctorChecks.lines(facts(probe: probe)), .login)?.message,
            "CVAT answers HTTP 503 to the login as \"fiftyone\"")
        probe.login = .answered(DoctorLoginAnswer(status: 200, session: "200", logout: "403"))
        XCTAssertEqual(
            line(DoctorChecks.lines(facts(probe: probe)), .login)?.message,
            "CVAT login as \"fiftyone\" works; the logout answered HTTP 403")
        probe.login = .answered(DoctorLoginAnswer(status: 200, session: "401", logout: "200"))
        let session = line(DoctorChecks.lines(facts(probe: probe)), .login)
        XCTAssertEqual(session?.status, .fail)
        XCTAssertEqual(
            session?.message,
            "CVAT takes the login as \"fiftyone\" but not the session it gives: GET /api/users/self answers HTTP 401")
        probe.login = .answered(
            DoctorLoginAnswer(status: 200, session: "200", logout: "200", client: "FiftyOne 1.22.1"))
        XCTAssertEqual(
            line(DoctorChecks.lines(facts(probe: probe)), .login)?.message,
            "CVAT login as \"fiftyone\" works with FiftyOne 1.22.1's CVAT client; logged out again")
    }

    /// A failure to connect or TLS is never called a credentials problem, and a refused login
    /// never a network one.
    func testCredentialsAndNetworkFailuresAreToldApart() {
        var probe = goodProbe()
        for kind in ["refused", "dns", "connectTimeout", "noAnswer", "certificate", "tls", "closed", "other"] {
            probe.login = .failed(DoctorNetworkFailure(kind: kind, detail: "x"))
            let login = line(DoctorChecks.lines(facts(probe: probe)), .login)
            XCTAssertEqual(login?.status, .fail, kind)
            XCTAssertFalse(login?.message.contains("credentials") == true, "\(kind): \(login?.message ?? "")")
        }
        probe.login = .answered(DoctorLoginAnswer(status: 400, refusal: ["non_field_errors"]))
        let login = line(DoctorChecks.lines(facts(probe: probe)), .login)
        XCTAssertFalse(
            ["unreachable", "TLS", "certificate", "reachable"].contains { login?.message.contains($0) == true },
            login?.message ?? "")
    }

    func testWhatFiftyOneItselfMisreadsFailsOrWarns() {
        var probe = goodProbe()
        probe.fiftyOne = .read(
            version: "1.22.1", method: "m", hasBackend: true,
            values: [
                "url": DoctorFiftyOneValue(kind: "text", same: true, sameText: true),
                "username": DoctorFiftyOneValue(kind: "integer", same: false, sameText: true),
                "password": DoctorFiftyOneValue(kind: "list", count: 2, same: false, sameText: false),
            ])
        let lines = DoctorChecks.lines(facts(probe: probe)).filter { $0.check == .fiftyOne }
        XCTAssertEqual(lines.map(\.status), [.warn, .fail])
        XCTAssertEqual(
            lines[1].message,
            "FiftyOne 1.22.1 reads FIFTYONE_CVAT_PASSWORD as a list of 2 values (it splits at ','), not the text the files give: its CVAT login will fail"
        )
        XCTAssertTrue(lines[0].message.contains("FIFTYONE_CVAT_USERNAME as a whole number"))
        probe.fiftyOne = .read(version: "1.22.1", method: "m", hasBackend: false, values: [:])
        XCTAssertEqual(line(DoctorChecks.lines(facts(probe: probe)), .fiftyOne)?.status, .fail)
    }

    func testDocumentedRulesWhenFiftyOneCannotBeAsked() {
        var next = Self.env
        next["FIFTYONE_CVAT_PASSWORD"] = "one,two"
        next["FIFTYONE_CVAT_HEADERS"] = "{\"X\": \"1\"}"
        var probe = goodProbe()
        probe.fiftyOne = .notImported("No module named 'fiftyone'")
        var f = facts(kind: .process, next: next, running: next, probe: probe)
        f.python = "/usr/bin/python3"
        let lines = DoctorChecks.lines(f).filter { $0.check == .fiftyOne }
        XCTAssertEqual(lines.map(\.status), [.warn, .warn])
        XCTAssertTrue(lines[0].message.hasPrefix("FIFTYONE_CVAT_HEADERS is set"))
        XCTAssertTrue(
            lines[1].message.hasPrefix(
                "FiftyOne would read FIFTYONE_CVAT_PASSWORD as a list of 2 values (it splits at ','), not text (by its documented rules;"
            ), lines[1].message)
        XCTAssertEqual(lines[1].data["asked"], "rules")
        // Nothing to misread: fine for a process instance, a warning for a fiftyone one (it should have FiftyOne).
        XCTAssertEqual(line(DoctorChecks.lines(facts(kind: .process, probe: probe)), .fiftyOne)?.status, .ok)
        XCTAssertEqual(line(DoctorChecks.lines(facts(kind: .fiftyone, probe: probe)), .fiftyOne)?.status, .warn)
    }

    func testReadyAndDatabase() {
        var f = facts(probe: goodProbe())
        f.ready = .failed("GET http://127.0.0.1:5151/fiftyone", reason: "connect: Connection refused")
        XCTAssertEqual(
            line(DoctorChecks.lines(f), .ready)?.message,
            "does not answer its ready check now: GET http://127.0.0.1:5151/fiftyone: connect: Connection refused")
        var next = Self.env
        next["FIFTYONE_DATABASE_URI"] = nil
        let noURI = line(DoctorChecks.lines(facts(next: next, running: next, probe: goodProbe())), .database)
        XCTAssertEqual(noURI?.status, .fail)
        XCTAssertTrue(noURI?.message.hasPrefix("no FIFTYONE_DATABASE_URI") == true)
        var probe = goodProbe()
        probe.tcp = [
            DoctorTCPOutcome(
                server: MongoURI.Server(host: "127.0.0.1", port: 27017),
                failure: DoctorNetworkFailure(kind: "refused", detail: ""))
        ]
        let down = line(DoctorChecks.lines(facts(probe: probe)), .database)
        XCTAssertEqual(down?.message, "MongoDB does not accept connections: 127.0.0.1:27017 refused the connection")
        XCTAssertNil(line(DoctorChecks.lines(facts(kind: .process, probe: goodProbe())), .database))
    }

    func testWithoutAProbeTheNetworkChecksSayWhy() {
        var f = facts(probe: nil)
        f.probeProblem = "no python3 found"
        let lines = DoctorChecks.lines(f)
        XCTAssertEqual(line(lines, .server)?.message, "CVAT at http://cvat.local:8080 not checked: no python3 found")
        XCTAssertEqual(line(lines, .login)?.status, .warn)
        XCTAssertEqual(line(lines, .database)?.status, .warn)
        XCTAssertFalse(lines.contains { $0.status == .fail }, "\(lines)")
    }

    func testInstanceWithoutCVATSyncGetsOneWarningAndNoCVATChecks() {
        var f = facts(next: ["FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017"], running: [:], probe: goodProbe())
        f.cvatSync = false
        let lines = DoctorChecks.lines(f)
        XCTAssertEqual(lines.map(\.check), [.cvatSync, .ready, .database])
        XCTAssertEqual(lines[0].message, "CVAT Sync is off: annotate gets no CVAT credentials")
    }
}
