import FomCore
import FomDaemon
import SystemKit

/// `fom startup [--install] [--user NAME]`: the systemd unit that runs `fom daemon` for this
/// supervisor.json at boot. Printed by default; `--install` writes it, runs
/// `systemctl daemon-reload` and `enable` (argv, no shell) and says how to start it. Where
/// systemd is not running (a container) it says so and prints the unit anyway.
enum StartupCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom startup: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        if let configError = context.configError { throw Failure(configError, located: true) }
        var userAccount: Users.Account?
        if let name = args.options["--user"] {
            guard let account = Users.named(name) else { throw UsageError("fom startup: no user named \"\(name)\"") }
            userAccount = account
        }
        let current = Users.current()
        let unit = SystemdUnit(
            executable: Files.executablePath(), configPath: context.config.path, envName: context.envName,
            workingDirectory: context.config.directory,
            fomHome: context.environment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 },
            runAs: Users.isRoot ? nil : current?.name, userUnit: userAccount != nil,
            stopTimeout: SystemdUnit.stopTimeout(context.config.instances))
        let name = SystemdUnit.unitName(configDirectory: context.config.directory)
        let systemdRuns = Files.isDirectory("/run/systemd/system")
        guard args.has("--install") else {
            if !systemdRuns {
                Output.err(
                    "fom startup: systemd is not running here (a container?); the unit below only helps on a host that boots with systemd"
                )
            }
            try? FileDescriptor.writeAll(1, unit.text)
            return 0
        }
        guard systemdRuns else {
            try? FileDescriptor.writeAll(1, unit.text)
            throw Failure(
                "systemd is not running here (a container?), so nothing was installed; the unit is printed above. In a container, run 'fom daemon' as the entrypoint instead"
            )
        }
        return try install(unit, name: name, user: userAccount, current: current, environment: context.environment)
    }

    static func install(
        _ unit: SystemdUnit, name: String, user: Users.Account?, current: Users.Account?,
        environment: [String: String]
    ) throws -> Int32 {
        let directory = user.map { "\($0.home)/.config/systemd/user" } ?? "/etc/systemd/system"
        let path = "\(directory)/\(name)"
        // Root installing another user's unit hands them what it creates.
        let handOver = user.flatMap { Users.isRoot && $0.uid != 0 ? $0 : nil }
        do {
            if let handOver {
                var dir = handOver.home
                for part in [".config", "systemd", "user"] {
                    dir += "/" + part
                    if !Files.isDirectory(dir) {
                        try Files.makeDirectories(dir)
                        try Users.give(dir, to: handOver)
                    }
                }
            } else {
                try Files.makeDirectories(directory)
            }
            try Files.writeAtomically(path, unit.text, mode: 0o644)
            if let handOver { try Users.give(path, to: handOver) }
        } catch {
            throw Failure(
                "cannot write \(path): \(error)\(user == nil && !Users.isRoot ? " (a system unit needs root; or use --user \(current?.name ?? "NAME"))" : "")"
            )
        }
        Output.out("wrote \(path)")
        var systemctl = ["systemctl"]
        if let user {
            systemctl.append("--user")
            // Another user's manager is reached as USER@ (systemd 248 and later).
            if user.uid != current?.uid { systemctl += ["--machine", "\(user.name)@"] }
        }
        guard
            let executable = Spawn.resolveExecutable(
                "systemctl", base: "/", searchPath: environment["PATH"] ?? "/usr/bin:/bin")
        else {
            throw Failure("systemctl not found; run 'systemctl daemon-reload' and 'systemctl enable \(name)' yourself")
        }
        for words in [["daemon-reload"], ["enable", name]] {
            let argv = systemctl + words
            let (status, output) = try Spawn.run(
                executable: executable, arguments: argv, environment: environment.map { "\($0.key)=\($0.value)" })
            guard status == .exited(0) else {
                let detail = output.split(separator: "\n").last.map(String.init) ?? "\(status)"
                throw Failure("\(argv.joined(separator: " ")) failed: \(detail)")
            }
        }
        let how = systemctl.joined(separator: " ")
        Output.out("enabled \(name): it starts at boot. Start it now with: \(how) start \(name)")
        if let user {
            Output.out(
                "a user unit starts at boot only when the user lingers: loginctl enable-linger \(user.name)")
        }
        Output.out("stop a daemon started by hand first ('fom kill'): one config runs one daemon")
        return 0
    }
}
