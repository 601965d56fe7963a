/// Whether the instance has a process now, as the daemon (or, without one, the state file) says.
public enum DoctorProcessState: Sendable, Equatable {
    case running(pid: Int, status: String)
    /// `status` is the daemon's word (`stopped`, `errored`, ...) or "no daemon".
    case notRunning(status: String)

    public var pid: Int? {
        if case .running(let pid, _) = self { return pid }
        return nil
    }
}

/// The ready check tried now, from the CLI (the daemon's own probe, driven once).
public enum DoctorReadyOutcome: Sendable, Equatable {
    case notRunning
    /// `"ready": false`.
    case noCheck
    /// What was asked (`GET http://127.0.0.1:5151/fiftyone`) and that it answered.
    case answered(String)
    /// What was asked and why it did not count.
    case failed(String, reason: String)
}

/// The env file as it is on disk now.
public struct DoctorEnvFile: Sendable, Equatable {
    public var path: String
    /// nil when the file does not exist.
    public var mode: UInt32?
    public var readable: Bool
    /// `FIFTYONE_CVAT_*` lines in it, which fom ignores.
    public var ignoredNames: [String]

    public init(path: String, mode: UInt32?, readable: Bool, ignoredNames: [String] = []) {
        self.path = path
        self.mode = mode
        self.readable = readable
        self.ignoredNames = ignoredNames
    }
}

/// Everything doctor found out about one instance, gathered by the CLI; `DoctorChecks` turns it
/// into lines without touching the system.
public struct DoctorFacts: Sendable {
    public var name: String
    public var kind: InstanceKind
    public var cvatSync: Bool
    public var process: DoctorProcessState
    public var envFile: DoctorEnvFile
    /// The environment the files give now (what a restart would start it with), or why there is none.
    public var next: [String: String]?
    public var nextError: String?
    /// The CVAT inputs that `nextError` says are missing, when that is what it says.
    public var missingCVATInputs: [String]
    /// `/proc/PID/environ` of the running process; nil when not running or unreadable.
    public var runningEnvironment: [String: String]?
    public var ready: DoctorReadyOutcome
    /// The interpreter the probe ran with, for messages.
    public var python: String?
    public var probe: DoctorProbeResult?
    /// Why the probe could not run or was cut off ("no python3", "did not finish within 12s").
    public var probeProblem: String?
    public var options: DoctorProbeOptions?

    public init(
        name: String, kind: InstanceKind, cvatSync: Bool, process: DoctorProcessState, envFile: DoctorEnvFile,
        next: [String: String]?, nextError: String? = nil, missingCVATInputs: [String] = [],
        runningEnvironment: [String: String]? = nil, ready: DoctorReadyOutcome = .notRunning, python: String? = nil,
        probe: DoctorProbeResult? = nil, probeProblem: String? = nil, options: DoctorProbeOptions? = nil
    ) {
        self.name = name
        self.kind = kind
        self.cvatSync = cvatSync
        self.process = process
        self.envFile = envFile
        self.next = next
        self.nextError = nextError
        self.missingCVATInputs = missingCVATInputs
        self.runningEnvironment = runningEnvironment
        self.ready = ready
        self.python = python
        self.probe = probe
        self.probeProblem = probeProblem
        self.options = options
    }

    /// The CVAT checks apply: CVAT Sync is on, or the instance's own env points it at a CVAT.
    public var usesCVAT: Bool { cvatSync || next?["FIFTYONE_CVAT_URL"] != nil }

    /// The values of secret-looking variables, so that no message can carry one.
    public var secrets: SecretValues {
        [next, runningEnvironment].compactMap { $0 }.reduce(SecretValues()) { $0.union(SecretValues(variables: $1)) }
    }
}
