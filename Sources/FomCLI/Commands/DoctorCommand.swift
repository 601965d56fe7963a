import FomCore
import FomDaemon
import FomProtocol
import FomRuntime
import SystemKit

/// `fom doctor [ID] [--json]`: the CVAT troubleshooting list, automated (DESIGN.md, "fom doctor").
/// It looks only: it never starts the daemon, and without one it checks what needs no process.
/// The network checks run in a Python child (the instance's interpreter with the instance's
/// environment, else python3), all instances at once, under one deadline; the verdicts are
/// `DoctorChecks`, pure.
enum DoctorCommand {
    /// The probe's own budget is 15 s (DoctorProbeOptions: FiftyOne's client takes seconds to
    /// import); past this, it is killed.
    static let probeDeadlineSeconds: Int64 = 18

    /// The environment the daemon says a start would get, or why it cannot.
    enum DaemonNext {
        case variables([String: String])
        case error(String)
    }

    /// One instance's facts as far as they are known before the probe runs.
    struct Subject {
        var id: Int
        var config: InstanceConfig
        var facts: DoctorFacts
        var secrets: SecretValues
    }

    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count <= 1 else {
            throw UsageError("fom doctor: name one instance (id or name), or none for all of them")
        }
        let context = try Context.load(args)
        let target = args.positionals.first.flatMap { $0 == "all" ? nil : $0 }
        var subjects = try gather(context, target: target)

        // The probes first (they take the longest), the ready checks while they run.
        let started = Clock.monotonicNanoseconds()
        var jobs: [ChildJob] = []
        var jobOf: [Int: Int] = [:]
        for (i, subject) in subjects.enumerated() {
            let options = DoctorChecks.probeOptions(subject.facts)
            subjects[i].facts.options = options
            guard !options.isEmpty, let next = subject.facts.next else { continue }
            guard let python = interpreter(subject.config, environment: next) else {
                subjects[i].facts.probeProblem =
                    "no python3 found (doctor's network checks run in the instance's python, else python3)"
                continue
            }
            subjects[i].facts.python = python
            jobOf[i] = jobs.count
            jobs.append(
                ChildJob(
                    executable: python,
                    arguments: [python, "-c", DoctorProbeScript.source, options.argument],
                    environment: next.map { "\($0.key)=\($0.value)" }, directory: subject.config.cwd))
        }
        let batch = ChildBatch(jobs)
        for i in subjects.indices {
            subjects[i].facts.ready = ready(subjects[i])
        }
        let outputs = batch.collect(deadline: started + probeDeadlineSeconds * 1_000_000_000)
        for (i, job) in jobOf {
            let output = outputs[job]
            let python = subjects[i].facts.python ?? "python"
            let result = DoctorProbeResult.parse(String(decoding: output.stdout, as: UTF8.self))
            subjects[i].facts.probe = result
            if let error = output.startError {
                subjects[i].facts.probeProblem = "cannot run \(python): \(error)"
            } else if output.timedOut && !result.finished {
                subjects[i].facts.probeProblem = "the check did not finish within \(probeDeadlineSeconds)s"
            } else if !result.finished {
                let last = String(decoding: output.stderr, as: UTF8.self).split(separator: "\n").last.map(String.init)
                subjects[i].facts.probeProblem =
                    "\(python) failed: \(last ?? "\(output.status.map { "\($0)" } ?? "?")")"
            }
        }

        var report = DoctorReport(
            instances: subjects.map { s in
                DoctorInstanceReport(
                    id: s.id, name: s.config.name, kind: s.config.kind, process: s.facts.process,
                    lines: DoctorChecks.lines(s.facts))
            })
        report = report.masking(subjects.reduce(SecretValues()) { $0.union($1.secrets).union($1.facts.secrets) })
        if args.has("--json") {
            Output.out(report.json.serialized(pretty: true))
        } else {
            for line in report.text(style: Output.colorOut ? .symbols : .words) { Output.out(line) }
        }
        return report.exitCode
    }

    /// The instances to check and what the daemon (or, without one, the files) says of each.
    static func gather(_ context: Context, target: String?) throws -> [Subject] {
        guard let client = try Client.connect(context) else {
            let targets =
                try target.map { [try context.instance($0)] }
                ?? Array(zip(context.config.instances, context.instanceIDs()))
            let rows = ListCommand.offlineRows(context)
            return targets.map { config, id in
                let row = rows.first { $0.name == config.name }
                let process: DoctorProcessState =
                    row?.pid.map { .running(pid: $0, status: "orphaned") } ?? .notRunning(status: "no daemon")
                return subject(
                    context, config: config, id: id, process: process, envFile: context.envFile,
                    supervisorEnvironment: context.environment, daemonNext: nil)
            }
        }
        defer { client.close() }
        let ping = try client.request(Request(.ping))
        let daemonEnvironment =
            ping["pid"]?.intValue.flatMap { ProcFS.environmentVariables(Int32($0)) } ?? context.environment
        var names: [String]
        if let target {
            names = [target]
        } else {
            let list = try client.request(Request(.list))
            context.warnIfConfigChanged(daemonDigest: list["configDigest"]?.stringValue, command: "doctor")
            names = (list["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:)).map(\.name)
        }
        var subjects: [Subject] = []
        for name in names {
            // Doctor logs in with the password the instance gets, so it asks for the values (as
            // exec does); it never prints them.
            let raw = try client.request(Request(.env, targets: [name], reveal: true))
            guard let answer = EnvAnswer(json: raw) else { continue }
            if target != nil {
                context.warnIfConfigChanged(daemonDigest: answer.configDigest, command: "doctor")
            }
            let info = answer.instance
            guard let config = context.config.instance(named: info.name) else {
                Output.err("fom doctor: \(info.name) is not in \(context.config.path) any more; skipped")
                continue
            }
            let process: DoctorProcessState =
                info.pid.map { .running(pid: $0, status: info.status.rawValue) }
                ?? .notRunning(status: info.status.rawValue)
            var daemonNext: DaemonNext?
            if let next = answer.next {
                daemonNext = .variables(next)
            } else if let error = answer.nextError {
                daemonNext = .error(error)
            }
            subjects.append(
                subject(
                    context, config: config, id: info.id, process: process,
                    envFile: answer.envFile.isEmpty ? context.envFile : answer.envFile,
                    supervisorEnvironment: daemonEnvironment, daemonNext: daemonNext))
        }
        return subjects
    }

    /// The facts of one instance before the probe: the env file, the environment the files give
    /// now (the daemon's answer when there is one), the running process's environment.
    static func subject(
        _ context: Context, config: InstanceConfig, id: Int, process: DoctorProcessState, envFile: String,
        supervisorEnvironment: [String: String], daemonNext: DaemonNext?
    ) -> Subject {
        var next: [String: String]?
        var nextError: String?
        var missing: [String] = []
        var ignored: [String] = []
        // Computed here as well, for what the daemon's answer does not carry: which CVAT inputs
        // are missing, and which FIFTYONE_CVAT_* lines of the file fom ignores.
        do {
            let local = try InstanceEnvironment.compute(
                config, id: id, envFile: envFile, supervisorEnvironment: supervisorEnvironment)
            next = local.variables
            ignored = local.ignoredFromEnvFile
        } catch let error as EnvironmentError {
            nextError = error.description
            if case .missingCVATSettings(_, let variables, _) = error { missing = variables }
        } catch {
            nextError = "\(error)"
        }
        switch daemonNext {
        case .variables(let variables)?:
            next = variables
            nextError = nil
            missing = []
        case .error(let error)?:
            next = nil
            nextError = error
        case nil:
            break
        }
        var running: [String: String]?
        if let pid = process.pid { running = ProcFS.environmentVariables(Int32(pid)) }
        let file = DoctorEnvFile(
            path: envFile, mode: Files.mode(envFile), readable: Files.isReadable(envFile), ignoredNames: ignored)
        let facts = DoctorFacts(
            name: config.name, kind: config.kind, cvatSync: config.cvatSync, process: process, envFile: file,
            next: next, nextError: nextError, missingCVATInputs: missing, runningEnvironment: running)
        // The file's own CVAT_PASSWORD too: a message must not show it even when the
        // environment could not be built.
        var secrets = SecretValues()
        if let text = Files.readText(envFile),
            let entries = try? DotEnv.parse(text, file: envFile, lookup: { supervisorEnvironment[$0] })
        {
            secrets = SecretValues(variables: entries.map { (key: $0.key, value: $0.value) })
        }
        return Subject(id: id, config: config, facts: facts, secrets: secrets)
    }

    /// The interpreter for the probe: the instance's own python (a fiftyone instance's, or the
    /// program of a process instance that is a python), else python3.
    static func interpreter(_ config: InstanceConfig, environment: [String: String]) -> String? {
        var candidates: [String] = []
        if config.python != nil || config.kind == .fiftyone {
            candidates.append(config.pythonPath(pythonExists: Files.isExecutable))
        } else if let program = config.resolvedCommand(pythonExists: Files.isExecutable).first,
            (program.split(separator: "/").last ?? "").hasPrefix("python")
        {
            candidates.append(program)
        }
        candidates.append("python3")
        for candidate in candidates {
            if let path = Spawn.resolveExecutable(candidate, base: config.cwd, searchPath: environment["PATH"]) {
                return path
            }
        }
        return nil
    }

    static func ready(_ subject: Subject) -> DoctorReadyOutcome {
        guard subject.facts.process.pid != nil else { return .notRunning }
        switch ReadyCheckNow.run(subject.config) {
        case .none: return .noCheck
        case .answered(let what): return .answered(what)
        case .failed(let what, let reason): return .failed(what, reason: reason)
        }
    }
}
