/// What one run of `DoctorProbeScript` is asked to do (its argv, no secrets) and what it found.
public struct DoctorProbeOptions: Sendable, Equatable {
    /// Checks 3 and 4 against the `FIFTYONE_CVAT_*` of the probe's environment.
    public var cvat: Bool
    /// Check 5: ask FiftyOne what it makes of those variables.
    public var fiftyOne: Bool
    /// TCP connections to try (MongoDB's servers).
    public var tcp: [MongoURI.Server]
    public var connectTimeoutSeconds: Int
    public var readTimeoutSeconds: Int
    /// The whole network part's budget; fom kills the probe a little later.
    public var budgetSeconds: Int

    public init(
        cvat: Bool, fiftyOne: Bool, tcp: [MongoURI.Server], connectTimeoutSeconds: Int = 3,
        readTimeoutSeconds: Int = 4, budgetSeconds: Int = 15
    ) {
        self.cvat = cvat
        self.fiftyOne = fiftyOne
        self.tcp = tcp
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.budgetSeconds = budgetSeconds
    }

    public var isEmpty: Bool { !cvat && !fiftyOne && tcp.isEmpty }

    /// The probe's one argument.
    public var argument: String {
        let servers: [JSONValue] = tcp.map { .array([.string($0.host), JSONValue($0.port)]) }
        let object: JSONObject = [
            "cvat": .bool(cvat), "fiftyone": .bool(fiftyOne), "tcp": .array(servers),
            "connectTimeout": JSONValue(connectTimeoutSeconds), "readTimeout": JSONValue(readTimeoutSeconds),
            "budget": JSONValue(budgetSeconds),
        ]
        return JSONValue.object(object).serialized()
    }
}

/// A connection that did not work, as the probe named it: `refused`, `dns`, `dnsTimeout`,
/// `connectTimeout`, `unreachable`, `noAnswer`, `certificate`, `tls`, `closed` or `other`.
public struct DoctorNetworkFailure: Sendable, Equatable {
    public var kind: String
    public var detail: String

    public init(kind: String, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

public enum DoctorServerOutcome: Sendable, Equatable {
    /// HTTP 200 with CVAT's JSON.
    case answered(version: String, name: String)
    /// An HTTP status other than 200.
    case status(Int)
    /// HTTP 200, but not JSON: something else listens there.
    case notCVAT
    case failed(DoctorNetworkFailure)
}

/// What CVAT answered to the login, as FiftyOne's client makes it: POST /api/auth/login, then,
/// with the session cookie, its CSRF token and a Referer, GET /api/users/self (the session is
/// good), then the logout.
public struct DoctorLoginAnswer: Sendable, Equatable {
    /// The login's HTTP status.
    public var status: Int
    /// After a 200: GET /api/users/self's status (or failure kind); nil when not asked.
    public var session: String?
    /// After a 200: the logout's status (or failure kind).
    public var logout: String?
    /// The top-level keys of a refused login's JSON body: CVAT says `non_field_errors` for wrong
    /// credentials, a field's name for a value it does not take (an empty password).
    public var refusal: [String]
    /// `fiftyone` when FiftyOne's own CVAT client logged in (with its version), nil for the
    /// probe's own requests (the standard library, the same requests).
    public var client: String?

    public init(
        status: Int, session: String? = nil, logout: String? = nil, refusal: [String] = [], client: String? = nil
    ) {
        self.status = status
        self.session = session
        self.logout = logout
        self.refusal = refusal
        self.client = client
    }
}

public enum DoctorLoginOutcome: Sendable, Equatable {
    /// Not tried because the server could not be reached.
    case skipped
    case answered(DoctorLoginAnswer)
    case failed(DoctorNetworkFailure)
}

/// How FiftyOne holds one CVAT setting compared with the variable's text.
public struct DoctorFiftyOneValue: Sendable, Equatable {
    /// `text`, `integer`, `decimal`, `boolean`, `none`, `list`, `missing` or a Python type name.
    public var kind: String
    public var count: Int?
    /// It is the same string.
    public var same: Bool
    /// `str()` of it gives the same text back (a number that CVAT would turn back into text).
    public var sameText: Bool

    public init(kind: String, count: Int? = nil, same: Bool, sameText: Bool) {
        self.kind = kind
        self.count = count
        self.same = same
        self.sameText = sameText
    }
}

public enum DoctorFiftyOneOutcome: Sendable, Equatable {
    /// The interpreter has no importable fiftyone (the error, as Python put it).
    case notImported(String)
    /// What FiftyOne holds for `url`, `username`, `password`, `email` (those the environment sets).
    case read(version: String, method: String, hasBackend: Bool, values: [String: DoctorFiftyOneValue])
}

public struct DoctorTCPOutcome: Sendable, Equatable {
    public var server: MongoURI.Server
    public var failure: DoctorNetworkFailure?

    public init(server: MongoURI.Server, failure: DoctorNetworkFailure?) {
        self.server = server
        self.failure = failure
    }
}

/// Everything one probe run reported; a part it did not report (cut off by the deadline, or
/// not asked for) is nil.
public struct DoctorProbeResult: Sendable, Equatable {
    public var server: DoctorServerOutcome?
    public var viaProxy = false
    public var login: DoctorLoginOutcome?
    public var fiftyOne: DoctorFiftyOneOutcome?
    public var tcp: [DoctorTCPOutcome]?
    public var finished = false

    public init() {}

    /// Reads the probe's stdout: its `FOMDOCTOR` lines, ignoring everything else.
    public static func parse(_ output: String) -> DoctorProbeResult {
        var result = DoctorProbeResult()
        for line in output.split(separator: "\n") where line.hasPrefix(DoctorProbeScript.linePrefix) {
            guard let json = try? JSONValue(parsing: String(line.dropFirst(DoctorProbeScript.linePrefix.count)))
            else { continue }
            result.read(json)
        }
        return result
    }

    private mutating func read(_ json: JSONValue) {
        func failure() -> DoctorNetworkFailure {
            DoctorNetworkFailure(kind: json["kind"]?.stringValue ?? "other", detail: json["detail"]?.stringValue ?? "")
        }
        switch json["part"]?.stringValue {
        case "server":
            viaProxy = json["proxy"]?.boolValue ?? false
            if json["ok"]?.boolValue == true {
                server = .answered(
                    version: json["version"]?.stringValue ?? "", name: json["name"]?.stringValue ?? "")
            } else if json["kind"]?.stringValue == "http", let status = json["status"]?.intValue {
                server = .status(status)
            } else if json["kind"]?.stringValue == "notCVAT" {
                server = .notCVAT
            } else {
                server = .failed(failure())
            }
        case "login":
            if json["skipped"]?.boolValue == true {
                login = .skipped
            } else if let status = json["status"]?.intValue {
                func text(_ key: String) -> String? {
                    json[key].flatMap { $0.intValue.map(String.init) ?? $0.stringValue }
                }
                login = .answered(
                    DoctorLoginAnswer(
                        status: status, session: text("self"), logout: text("logout"),
                        refusal: (json["refusal"]?.arrayValue ?? []).compactMap(\.stringValue),
                        client: json["client"]?.stringValue))
            } else {
                login = .failed(failure())
            }
        case "fiftyone":
            if json["imported"]?.boolValue == true {
                var values: [String: DoctorFiftyOneValue] = [:]
                for member in json["values"]?.objectValue ?? JSONObject() {
                    let v = member.value
                    values[member.key] = DoctorFiftyOneValue(
                        kind: v["kind"]?.stringValue ?? "missing", count: v["count"]?.intValue,
                        same: v["same"]?.boolValue ?? false, sameText: v["sameText"]?.boolValue ?? false)
                }
                fiftyOne = .read(
                    version: json["version"]?.stringValue ?? "", method: json["how"]?.stringValue ?? "",
                    hasBackend: json["backend"]?.boolValue ?? false, values: values)
            } else if json["imported"]?.boolValue == false {
                fiftyOne = .notImported(json["error"]?.stringValue ?? "")
            } else {
                fiftyOne = .notImported(failure().detail)
            }
        case "tcp":
            if let results = json["results"]?.arrayValue {
                tcp = results.map { r in
                    let server = MongoURI.Server(host: r["host"]?.stringValue ?? "", port: r["port"]?.intValue ?? 0)
                    let failed =
                        r["ok"]?.boolValue == true
                        ? nil
                        : DoctorNetworkFailure(
                            kind: r["kind"]?.stringValue ?? "other", detail: r["detail"]?.stringValue ?? "")
                    return DoctorTCPOutcome(server: server, failure: failed)
                }
            }
        case "done":
            finished = true
        default:
            break
        }
    }
}
