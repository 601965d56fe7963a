/// The systemd unit of `fom startup`: `fom daemon` for one supervisor.json as a `Type=simple`
/// service. Pure text from its inputs; the command finds the paths and installs the file.
public struct SystemdUnit: Sendable, Equatable {
    /// Absolute path of the fom binary.
    public var executable: String
    /// Absolute path of supervisor.json.
    public var configPath: String
    /// `--env NAME` as given to `fom startup`, passed on to the daemon.
    public var envName: String?
    public var workingDirectory: String
    /// `$FOM_HOME` when set: the runtime directory must be the same one the CLI uses.
    public var fomHome: String?
    /// A system unit run by a user other than root gets `User=`; a user unit never does.
    public var runAs: String?
    /// A unit of a user's own systemd (`systemctl --user`) rather than of the system.
    public var userUnit: Bool
    /// How long the daemon's shutdown may take (see `stopTimeout`).
    public var stopTimeout: Duration

    public init(
        executable: String, configPath: String, envName: String?, workingDirectory: String, fomHome: String?,
        runAs: String?, userUnit: Bool, stopTimeout: Duration
    ) {
        self.executable = executable
        self.configPath = configPath
        self.envName = envName
        self.workingDirectory = workingDirectory
        self.fomHome = fomHome
        self.runAs = runAs
        self.userUnit = userUnit
        self.stopTimeout = stopTimeout
    }

    /// `fom-DIR.service`, DIR being the name of the config's directory with anything but
    /// letters, digits, `_` and `-` turned into `-` (one stack per directory, as the runtime
    /// directory is); `fom.service` for a config at `/`.
    public static func unitName(configDirectory: String) -> String {
        let base = configDirectory.split(separator: "/").last.map(String.init) ?? ""
        let safe = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "-" })
        return safe.isEmpty ? "fom.service" : "fom-\(safe).service"
    }

    /// The daemon stops dependents before what they depend on, each waiting up to its
    /// killTimeout (then SIGKILL and a grace for leftovers): the longest such chain, plus a
    /// margin, so that systemd's own SIGKILL (KillMode=mixed) comes only after fom gave up.
    public static func stopTimeout(_ instances: [InstanceConfig]) -> Duration {
        let byName = Dictionary(instances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var memo: [String: Duration] = [:]
        func chain(_ name: String, _ depth: Int) -> Duration {
            if let known = memo[name] { return known }
            guard let instance = byName[name], depth < instances.count + 1 else { return .zero }
            // What depends on this instance stops first; the longest of those waits comes before.
            let before =
                instances.filter { $0.dependsOn.contains(name) }.map { chain($0.name, depth + 1) }.max() ?? .zero
            let total = before + instance.killTimeout + InstanceMachine.killGrace
            memo[name] = total
            return total
        }
        let longest = instances.map { chain($0.name, 0) }.max() ?? .zero
        return longest + .seconds(10)
    }

    public var text: String {
        var exec = [executable, "daemon", "--config", configPath]
        if let envName { exec += ["--env", envName] }
        var lines = [
            "# Written by fom startup: runs fom daemon for \(configPath).",
            "[Unit]",
            "Description=fom supervisor for \(Self.escapeSpecifiers(configPath))",
        ]
        if !userUnit { lines += ["After=network.target"] }
        lines += [
            "",
            "[Service]",
            "Type=simple",
            "ExecStart=" + exec.map { Self.quote($0, dollars: true) }.joined(separator: " "),
            // The rest of the line is the path (spaces and all); only specifiers are special.
            "WorkingDirectory=" + Self.escapeSpecifiers(workingDirectory),
        ]
        if let fomHome { lines.append("Environment=" + Self.quote("FOM_HOME=" + fomHome, dollars: false)) }
        if let runAs, !userUnit { lines.append("User=" + runAs) }
        lines += [
            // SIGTERM to fom only: it stops every instance in order; SIGKILL to all only after the timeout.
            "KillMode=mixed",
            "TimeoutStopSec=\((stopTimeout.components.seconds) + (stopTimeout.components.attoseconds > 0 ? 1 : 0))",
            "Restart=on-failure",
            "",
            "[Install]",
            "WantedBy=" + (userUnit ? "default.target" : "multi-user.target"),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `%` starts a specifier in unit files.
    static func escapeSpecifiers(_ text: String) -> String {
        text.replacingAll("%", with: "%%")
    }

    /// One word of a unit file's command line (`dollars`: `$` is expanded there) or of
    /// `Environment=`: specifiers escaped, and double quotes (C-style escapes inside) when it
    /// holds a space, a quote or a backslash.
    static func quote(_ word: String, dollars: Bool) -> String {
        var text = escapeSpecifiers(word)
        if dollars { text = text.replacingAll("$", with: "$$") }
        let needsQuotes =
            text.isEmpty
            || text.contains { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == ";" }
        guard needsQuotes else { return text }
        text = text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        return "\"" + text + "\""
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
