/// The verdicts of `fom doctor` (DESIGN.md, "fom doctor"): facts in, lines out, in the order of
/// the troubleshooting list. Pure: the CLI gathers the facts and runs the probe.
public enum DoctorChecks {
    static let cvatVariables = ["FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME", "FIFTYONE_CVAT_PASSWORD"]

    /// What the probe has to find out for these facts (before it runs).
    public static func probeOptions(_ facts: DoctorFacts) -> DoctorProbeOptions {
        var cvat = false
        var fiftyOne = false
        var tcp: [MongoURI.Server] = []
        if let next = facts.next {
            if facts.usesCVAT, let url = next["FIFTYONE_CVAT_URL"] {
                fiftyOne = true
                if case .success = CVATServerURL.parse(url) { cvat = true }
            }
            if facts.kind == .fiftyone, let uri = next["FIFTYONE_DATABASE_URI"], !uri.isEmpty,
                case .servers(let servers) = MongoURI.parse(uri)
            {
                tcp = servers
            }
        }
        return DoctorProbeOptions(cvat: cvat, fiftyOne: fiftyOne, tcp: tcp)
    }

    public static func lines(_ facts: DoctorFacts) -> [DoctorLine] {
        var lines = environment(facts)
        if facts.usesCVAT {
            lines += restart(facts)
            if let next = facts.next, let text = next["FIFTYONE_CVAT_URL"],
                case .success(let url) = CVATServerURL.parse(text)
            {
                lines += server(facts, url: url)
            }
            lines += fiftyOne(facts)
        } else {
            lines.append(
                .warn(
                    .cvatSync, "CVAT Sync is off: \(facts.name) gets no CVAT credentials",
                    fix:
                        "to use CVAT from it, set \"cvatSync\": true for \(facts.name) in supervisor.json, then 'fom restart \(facts.name)'"
                ))
        }
        lines += ready(facts)
        if facts.kind == .fiftyone { lines += database(facts) }
        return lines
    }

    // MARK: 1. the env file

    static func environment(_ facts: DoctorFacts) -> [DoctorLine] {
        let file = facts.envFile
        let restartFix = "then 'fom restart \(facts.name)'"
        var lines: [DoctorLine] = []
        if facts.usesCVAT || facts.cvatSync {
            if file.mode == nil {
                if facts.next != nil {
                    lines.append(
                        .warn(
                            .envFile,
                            "\(file.path) does not exist; the CVAT settings come from the instance's env or fom's own environment"
                        ))
                } else {
                    lines.append(
                        .fail(
                            .envFile,
                            "\(file.path) does not exist, so CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD are not set",
                            fix:
                                "create it (cp .env.example \(file.path)), set the three, chmod 600 \(file.path), \(restartFix)"
                        ))
                    return lines
                }
            } else if !file.readable {
                lines.append(
                    .fail(
                        .envFile, "\(file.path) cannot be read",
                        fix: "run fom doctor as the user the daemon runs as, or give that user read access"))
                return lines
            }
        }
        if let error = facts.nextError {
            if !facts.missingCVATInputs.isEmpty {
                let names = facts.missingCVATInputs
                let one = names.count == 1
                lines.append(
                    .fail(
                        .envFile,
                        "CVAT Sync is on but \(list(names)) \(one ? "is" : "are") missing or empty in \(file.path)",
                        fix: "add \(names.map { "\($0)=..." }.joined(separator: ", ")) to \(file.path), \(restartFix)"))
            } else {
                lines.append(
                    .fail(
                        .envFile, "the environment cannot be built: \(error)",
                        fix: "correct what the message names ('fom validate' lists every problem)"))
            }
        } else if facts.usesCVAT, let next = facts.next {
            let text = next["FIFTYONE_CVAT_URL"] ?? ""
            switch CVATServerURL.parse(text) {
            case .failure(let problem):
                lines.append(
                    .fail(
                        .envFile, "CVAT_URL is not an http or https URL: it \(problem.message)",
                        fix: "write it as http://HOST:PORT or https://HOST in \(file.path), \(restartFix)"))
            case .success(let url):
                let user = next["FIFTYONE_CVAT_USERNAME"] ?? ""
                let where_ = file.mode == nil ? "the environment" : file.path
                lines.append(
                    .ok(
                        .envFile,
                        "\(where_) gives CVAT_URL \(url.display), CVAT_USERNAME \"\(user)\" and a CVAT_PASSWORD"))
                if url.hasTrailingSlash {
                    lines.append(
                        .warn(
                            .envFile,
                            "CVAT_URL ends with '/': FiftyOne appends /api/... to it as written, giving '//api'",
                            fix: "remove the trailing '/' from CVAT_URL in \(file.path), \(restartFix)"))
                }
            }
        }
        if facts.usesCVAT || facts.cvatSync, let mode = file.mode, mode & 0o077 != 0 {
            let octal = String(mode & 0o777, radix: 8)
            lines.append(
                .warn(
                    .envFile,
                    "other users can \(mode & 0o044 != 0 ? "read" : "access") \(file.path) (mode \(octal)), which holds the CVAT password",
                    fix: "chmod 600 \(file.path)"))
        }
        if facts.usesCVAT {
            for name in file.ignoredNames {
                lines.append(
                    .warn(
                        .envFile,
                        "\(file.path) sets \(name), which fom ignores (only CVAT Sync hands out CVAT settings)",
                        fix: "put \(name) in \(facts.name)'s \"env\" in supervisor.json instead"))
            }
        }
        return lines
    }

    // MARK: 2. the running process

    static func restart(_ facts: DoctorFacts) -> [DoctorLine] {
        guard case .running(let pid, _) = facts.process else {
            // Nothing to restart: its next start computes the environment from the files.
            let status: String
            if case .notRunning(let s) = facts.process { status = s } else { status = "" }
            return [.ok(.restart, "not running (\(status)); its next start takes the CVAT values the files give now")]
        }
        guard let running = facts.runningEnvironment else {
            return [.warn(.restart, "cannot read /proc/\(pid)/environ to compare the running process with the files")]
        }
        guard let next = facts.next else {
            return [
                .warn(.restart, "cannot compare the running process with the files: they do not give an environment")
            ]
        }
        let names = Set(running.keys.filter(isCVAT)).union(next.keys.filter(isCVAT))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let absent = names.filter { running[$0] == nil }
        let changed = names.filter { running[$0] != nil && next[$0] != nil && running[$0] != next[$0] }
        let dropped = names.filter { running[$0] != nil && next[$0] == nil }
        if absent.isEmpty && changed.isEmpty && dropped.isEmpty {
            let shown = cvatVariables.filter { running[$0] != nil }
            return [
                .ok(
                    .restart,
                    "the running process (pid \(pid)) has \(list(shown.isEmpty ? names : shown)) as the files give them now"
                )
            ]
        }
        var parts: [String] = []
        if !absent.isEmpty { parts.append("the running process (pid \(pid)) has no \(list(absent))") }
        if !changed.isEmpty { parts.append("\(list(changed)) changed in the files since it started") }
        if !dropped.isEmpty { parts.append("\(list(dropped)) no longer in the files") }
        return [
            .fail(
                .restart, "restart needed: " + parts.joined(separator: "; "),
                fix: "fom restart \(facts.name)")
        ]
    }

    static func isCVAT(_ name: String) -> Bool { name.hasPrefix("FIFTYONE_CVAT_") }

    static func notRunning(_ check: DoctorCheck, _ facts: DoctorFacts) -> DoctorLine {
        let status: String
        if case .notRunning(let s) = facts.process { status = s } else { status = "running" }
        return .warn(check, "not running (\(status))", fix: "fom start \(facts.name)")
    }

    // MARK: 3 and 4. the server and the login

    static func server(_ facts: DoctorFacts, url: CVATServerURL) -> [DoctorLine] {
        let at = "CVAT at \(url.display)"
        guard let probe = facts.probe, let outcome = probe.server else {
            let why = facts.probeProblem ?? "the check did not report"
            return [.warn(.server, "\(at) not checked: \(why)"), .warn(.login, "login not checked: \(why)")]
        }
        let options = facts.options ?? DoctorProbeOptions(cvat: true, fiftyOne: false, tcp: [])
        let proxy = probe.viaProxy ? " (through the proxy of the environment)" : ""
        let file = facts.envFile.path
        var lines: [DoctorLine] = []
        switch outcome {
        case .answered(let version, _):
            lines.append(
                DoctorLine(
                    .server, .ok, "\(at) answers\(proxy): CVAT version \(version.isEmpty ? "unknown" : version)",
                    data: ["version": .string(version)]))
        case .status(let status):
            lines.append(
                .fail(
                    .server, "\(at) answers HTTP \(status) to GET /api/server/about\(proxy)",
                    fix: "check that CVAT_URL in \(file) is the address of CVAT's web page (no path)"))
        case .notCVAT:
            lines.append(
                .fail(
                    .server, "something answers at \(url.display), but not CVAT (GET /api/server/about is not JSON)",
                    fix: "check that CVAT_URL in \(file) is the address of CVAT's web page (no path)"))
        case .failed(let failure):
            lines.append(networkFailure(.server, at: at, url: url, failure, options: options, file: file))
        }
        switch probe.login {
        case nil:
            lines.append(.warn(.login, "login not checked: \(facts.probeProblem ?? "the check did not report")"))
        case .skipped:
            lines.append(.warn(.login, "login not tried: CVAT cannot be reached"))
        case .answered(let answer)?:
            lines.append(login(facts, answer))
        case .failed(let failure)?:
            lines.append(
                networkFailure(
                    .login, at: "the login at \(url.display)", url: url, failure, options: options, file: file))
        }
        return lines
    }

    /// The login's verdict. Only CVAT's own answer makes it a credentials problem: a 400 to the
    /// login (`non_field_errors`: "Unable to log in with provided credentials."); a failure to
    /// connect, TLS or a timeout never reaches here (`networkFailure`).
    static func login(_ facts: DoctorFacts, _ answer: DoctorLoginAnswer) -> DoctorLine {
        let next = facts.next ?? [:]
        var who = "\"\(next["FIFTYONE_CVAT_USERNAME"] ?? "")\""
        if let email = next["FIFTYONE_CVAT_EMAIL"], !email.isEmpty { who += " (\(email))" }
        let file = facts.envFile.path
        let through = answer.client.map { " with \($0)'s CVAT client" } ?? ""
        func http(_ text: String?) -> String { text.map { Int($0) != nil ? "HTTP \($0)" : $0 } ?? "nothing" }
        switch answer.status {
        case 200:
            if let session = answer.session, let code = Int(session), code == 401 || code == 403 {
                return .fail(
                    .login,
                    "CVAT takes the login as \(who)\(through) but not the session it gives: GET /api/users/self answers HTTP \(code)",
                    fix:
                        "CVAT's session cookie does not come back: set CVAT_URL in \(file) to the address CVAT is served at (scheme, host and port as the browser shows them), with no proxy between that drops cookies"
                )
            }
            var message = "CVAT login as \(who) works\(through)"
            if let session = answer.session, Int(session).map({ !(200..<300).contains($0) }) ?? true {
                message += "; GET /api/users/self answered \(http(session))"
            }
            if let logout = answer.logout, let code = Int(logout), (200..<400).contains(code) {
                message += "; logged out again"
            } else {
                message += "; the logout answered \(http(answer.logout))"
            }
            return .ok(.login, message)
        case 400:
            // A field CVAT names (not `non_field_errors`): it did not take a value, e.g. an empty one.
            let fields = answer.refusal.filter { $0 != "non_field_errors" && $0 != "detail" }
            if !fields.isEmpty && !answer.refusal.contains("non_field_errors") {
                return .fail(
                    .login,
                    "CVAT refuses the login as \(who)\(through): it does not take the \(fields.joined(separator: ", ")) given (HTTP 400)",
                    fix:
                        "set CVAT_USERNAME / CVAT_PASSWORD in \(file) (neither may be empty), then 'fom restart \(facts.name)'"
                )
            }
            return .fail(
                .login, "the CVAT credentials are wrong: CVAT refuses the login as \(who)\(through) (HTTP 400)",
                fix:
                    "correct CVAT_USERNAME / CVAT_PASSWORD in \(file) (accounts made through Google or GitHub have no password), then 'fom restart \(facts.name)'"
            )
        default:
            return .fail(
                .login, "CVAT answers HTTP \(answer.status) to the login as \(who)\(through)",
                fix: "see CVAT's server log for POST /api/auth/login")
        }
    }

    static func networkFailure(
        _ check: DoctorCheck, at: String, url: CVATServerURL, _ failure: DoctorNetworkFailure,
        options: DoctorProbeOptions, file: String
    ) -> DoctorLine {
        let endpoint = "\(url.host):\(url.port)"
        let detail = failure.detail.isEmpty ? "" : " (\(failure.detail))"
        let reach =
            "check that \(endpoint) is reachable from this machine (address, firewall, VPN), or correct CVAT_URL in \(file)"
        switch failure.kind {
        case "refused":
            return .fail(
                check, "\(at) is unreachable: connection refused, nothing listens on \(endpoint)",
                fix: "start CVAT, or correct the host and port of CVAT_URL in \(file)")
        case "dns":
            return .fail(
                check, "\(at) is unreachable: DNS cannot resolve \(url.host)\(detail)",
                fix: "correct the host name in CVAT_URL in \(file), or check this machine's DNS")
        case "dnsTimeout":
            return .fail(
                check, "\(at) is unreachable: DNS did not resolve \(url.host) within \(options.connectTimeoutSeconds)s",
                fix: "check this machine's DNS (/etc/resolv.conf), or use an IP address in CVAT_URL")
        case "connectTimeout":
            return .fail(
                check, "\(at) is unreachable: no answer to the connection within \(options.connectTimeoutSeconds)s",
                fix: reach)
        case "unreachable":
            return .fail(check, "\(at) is unreachable\(detail)", fix: reach)
        case "noAnswer":
            return .fail(
                check,
                "\(at) is unreachable: it accepts the connection but does not answer within \(options.readTimeoutSeconds)s",
                fix: "CVAT is hung or still starting: check its containers (docker compose ps, docker compose logs)")
        case "certificate":
            return .fail(
                check, "\(at): the TLS certificate is not trusted\(detail)",
                fix:
                    "give CVAT a certificate from a trusted CA, or trust its CA here (system store, or SSL_CERT_FILE in the instance's env)"
            )
        case "tls":
            return .fail(
                check, "\(at): the TLS handshake failed\(detail)",
                fix: "check the scheme of CVAT_URL in \(file): https:// for a TLS port, http:// otherwise")
        case "closed":
            return .fail(
                check, "\(at) closed the connection without an answer\(detail)",
                fix: "check the scheme and port of CVAT_URL in \(file)")
        default:
            return .fail(check, "\(at): the request failed\(detail)", fix: reach)
        }
    }

    // MARK: 5. what FiftyOne makes of the values

    static let fiftyOneKeys = ["url", "username", "password", "email"]

    static func fiftyOne(_ facts: DoctorFacts) -> [DoctorLine] {
        guard let next = facts.next else { return [] }
        var lines: [DoctorLine] = []
        if next["FIFTYONE_CVAT_HEADERS"] != nil {
            lines.append(
                .warn(
                    .fiftyOne,
                    "FIFTYONE_CVAT_HEADERS is set: FiftyOne keeps it as text, which it cannot use as headers",
                    fix:
                        "remove it from \(facts.name)'s env; give headers in FiftyOne's annotation config file or to annotate(headers=...)"
                ))
        }
        let python = facts.python ?? "python"
        switch facts.probe?.fiftyOne {
        case .read(let version, let method, let hasBackend, let values)?:
            let data: JSONObject = [
                "asked": "fiftyone", "version": .string(version), "method": .string(method), "python": .string(python),
            ]
            guard hasBackend else {
                lines.append(
                    .fail(
                        .fiftyOne, "FiftyOne \(version) has no cvat annotation backend in this environment",
                        fix: "FIFTYONE_ANNOTATION_BACKENDS, if set, must include cvat"))
                return lines
            }
            var problems: [DoctorLine] = []
            for key in fiftyOneKeys {
                guard let held = values[key], !held.same else { continue }
                let variable = "FIFTYONE_CVAT_\(key.uppercased())"
                let kind = describe(held)
                if (held.kind == "integer" || held.kind == "decimal") && held.sameText {
                    problems.append(
                        DoctorLine(
                            .fiftyOne, .warn,
                            "FiftyOne \(version) reads \(variable) as \(kind), not text; CVAT may turn it back into the same text",
                            fix: fixFor(key), data: data))
                } else {
                    problems.append(
                        DoctorLine(
                            .fiftyOne, .fail,
                            "FiftyOne \(version) reads \(variable) as \(kind), not the text the files give: its CVAT login will fail",
                            fix: fixFor(key), data: data))
                }
            }
            if problems.isEmpty {
                let names = fiftyOneKeys.filter { values[$0] != nil }.map { "FIFTYONE_CVAT_\($0.uppercased())" }
                lines.append(
                    DoctorLine(
                        .fiftyOne, .ok, "FiftyOne \(version) reads \(list(names)) as the files give them", data: data))
            }
            lines += problems
        case .notImported(let error)?:
            lines += rules(facts, next: next, why: "\(python) cannot import fiftyone (\(error))")
        case nil:
            lines += rules(facts, next: next, why: "FiftyOne was not asked: \(facts.probeProblem ?? "no answer")")
        }
        return lines
    }

    /// FiftyOne's documented parsing, when FiftyOne itself cannot be asked: a `!` for each value
    /// it would misread; for a fiftyone instance a `!` anyway, since FiftyOne should have answered.
    static func rules(_ facts: DoctorFacts, next: [String: String], why: String) -> [DoctorLine] {
        let data: JSONObject = ["asked": "rules"]
        var lines: [DoctorLine] = []
        for key in fiftyOneKeys {
            let variable = "FIFTYONE_CVAT_\(key.uppercased())"
            guard let value = next[variable] else { continue }
            let kind = FiftyOneValueRules.kind(of: value)
            if kind != .text {
                lines.append(
                    DoctorLine(
                        .fiftyOne, .warn,
                        "FiftyOne would read \(variable) as \(kind.description), not text (by its documented rules; \(why))",
                        fix: fixFor(key), data: data))
            }
        }
        if lines.isEmpty {
            if facts.kind == .fiftyone {
                lines.append(
                    DoctorLine(
                        .fiftyOne, .warn,
                        "\(why); by FiftyOne's documented rules it reads the CVAT values as the files give them",
                        fix: "check the instance's python: it should be the one with FiftyOne", data: data))
            } else {
                lines.append(
                    DoctorLine(
                        .fiftyOne, .ok,
                        "no CVAT value that FiftyOne would misread (by its documented rules; \(why))", data: data))
            }
        }
        return lines
    }

    static func describe(_ value: DoctorFiftyOneValue) -> String {
        switch value.kind {
        case "integer": "a whole number"
        case "decimal": "a decimal number"
        case "boolean": "a boolean"
        case "none": "None"
        case "missing": "nothing (it has no such setting)"
        case "list": "a list of \(value.count.map(String.init) ?? "several") values (it splits at ',')"
        default: "a \(value.kind)"
        }
    }

    static func fixFor(_ key: String) -> String {
        switch key {
        case "password":
            "choose a CVAT password that is not a number, true/false or None and has no ',' (FiftyOne converts such values)"
        case "username":
            "use a CVAT user name that is not a number, true/false or None and has no ',' (FiftyOne converts such values)"
        default:
            "change CVAT_\(key.uppercased()) so that it is not a number, true/false or None and has no ','"
        }
    }

    // MARK: 6. ready now, and the database

    static func ready(_ facts: DoctorFacts) -> [DoctorLine] {
        switch facts.ready {
        case .notRunning:
            return [notRunning(.ready, facts)]
        case .noCheck:
            return [.ok(.ready, "running (pid \(facts.process.pid.map(String.init) ?? "?")); it has no ready check")]
        case .answered(let what):
            return [.ok(.ready, "answers its ready check now: \(what)")]
        case .failed(let what, let reason):
            return [
                .fail(
                    .ready, "does not answer its ready check now: \(what): \(reason)",
                    fix: "see 'fom logs \(facts.name)' and 'fom describe \(facts.name)'")
            ]
        }
    }

    static func database(_ facts: DoctorFacts) -> [DoctorLine] {
        guard let next = facts.next else { return [] }
        guard let uri = next["FIFTYONE_DATABASE_URI"], !uri.isEmpty else {
            return [
                .fail(
                    .database,
                    "no FIFTYONE_DATABASE_URI: \(facts.name) starts a private MongoDB, which other FiftyOne instances then share",
                    fix:
                        "set FIFTYONE_DATABASE_URI (and FIFTYONE_DATABASE_NAME) in \(facts.name)'s env, pointing at the mongodb instance"
                )
            ]
        }
        switch MongoURI.parse(uri) {
        case .invalid(let why):
            return [
                .fail(
                    .database, "FIFTYONE_DATABASE_URI \(why)",
                    fix: "write it as mongodb://HOST:PORT in \(facts.name)'s env")
            ]
        case .srv(let host):
            return [
                .warn(.database, "FIFTYONE_DATABASE_URI is a mongodb+srv URI (\(host)); its servers are not checked")
            ]
        case .servers(let servers):
            let names = servers.map { "\($0.host):\($0.port)" }.joined(separator: ", ")
            guard let outcomes = facts.probe?.tcp else {
                return [
                    .warn(
                        .database,
                        "MongoDB at \(names) not checked: \(facts.probeProblem ?? "the check did not report")")
                ]
            }
            if let good = outcomes.first(where: { $0.failure == nil }) {
                return [
                    .ok(
                        .database,
                        "FIFTYONE_DATABASE_URI is set; MongoDB at \(good.server.host):\(good.server.port) accepts connections"
                    )
                ]
            }
            let reasons = outcomes.compactMap { o in o.failure.map { "\(o.server.host):\(o.server.port) \(phrase($0))" }
            }
            return [
                .fail(
                    .database, "MongoDB does not accept connections: \(reasons.joined(separator: "; "))",
                    fix: "start MongoDB (the mongodb instance: 'fom start mongodb'), or correct FIFTYONE_DATABASE_URI")
            ]
        }
    }

    static func phrase(_ failure: DoctorNetworkFailure) -> String {
        switch failure.kind {
        case "refused": "refused the connection"
        case "dns", "dnsTimeout": "cannot be resolved (\(failure.detail))"
        case "connectTimeout": "did not answer the connection"
        default: failure.detail.isEmpty ? failure.kind : failure.detail
        }
    }

    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
