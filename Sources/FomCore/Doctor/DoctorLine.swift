/// How one check of `fom doctor` came out: `✓`, `!` or `✗` on a terminal, `ok`, `warn` or `FAIL`
/// in plain output. Only `fail` makes doctor exit 1.
public enum DoctorStatus: String, Sendable, Equatable, CaseIterable {
    case ok
    case warn
    case fail

    public var symbol: String {
        switch self {
        case .ok: "✓"
        case .warn: "!"
        case .fail: "✗"
        }
    }

    /// The word for output that is not a terminal (or has NO_COLOR), padded to one width.
    public var word: String {
        switch self {
        case .ok: "ok  "
        case .warn: "warn"
        case .fail: "FAIL"
        }
    }
}

/// The items of the CVAT troubleshooting list that doctor automates, in the order it prints
/// them. The raw values are the `check` names of `--json`.
public enum DoctorCheck: String, Sendable, Equatable, CaseIterable {
    /// 1. the env file: there, private, with the CVAT inputs, CVAT_URL an http(s) URL.
    case envFile
    /// The CVAT Sync checkbox itself (an instance without it gets no credentials).
    case cvatSync
    /// 2. the running process has the FIFTYONE_CVAT_* values the files give now.
    case restart
    /// 3. GET {CVAT_URL}/api/server/about.
    case server
    /// 4. POST {CVAT_URL}/api/auth/login, then GET /api/users/self with the session, then logout.
    case login
    /// 5. what FiftyOne makes of the FIFTYONE_CVAT_* values.
    case fiftyOne
    /// 6. the ready check now.
    case ready
    /// 6. FIFTYONE_DATABASE_URI, and MongoDB accepting a connection.
    case database
}

/// One line of doctor's report: a check, its outcome, what was found and, for a failure, the fix
/// in one line. Never holds a secret's value (the callers build messages from names).
public struct DoctorLine: Sendable, Equatable {
    public var check: DoctorCheck
    public var status: DoctorStatus
    public var message: String
    public var fix: String?
    /// Facts for `--json` beyond the message (the CVAT version, whether FiftyOne itself was asked).
    public var data: JSONObject

    public init(
        _ check: DoctorCheck, _ status: DoctorStatus, _ message: String, fix: String? = nil, data: JSONObject = [:]
    ) {
        self.check = check
        self.status = status
        self.message = message
        self.fix = fix
        self.data = data
    }

    public static func ok(_ check: DoctorCheck, _ message: String) -> DoctorLine {
        DoctorLine(check, .ok, message)
    }

    public static func warn(_ check: DoctorCheck, _ message: String, fix: String? = nil) -> DoctorLine {
        DoctorLine(check, .warn, message, fix: fix)
    }

    public static func fail(_ check: DoctorCheck, _ message: String, fix: String) -> DoctorLine {
        DoctorLine(check, .fail, message, fix: fix)
    }
}
