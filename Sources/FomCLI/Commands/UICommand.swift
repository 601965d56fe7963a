import FomCore
import FomDaemon
import FomProtocol
import FomWeb
import Glibc
import SystemKit

/// `fom ui`: the web dashboard, a foreground client of the daemon's socket (the daemon itself
/// has no HTTP code). Prints the URL with a fresh token, as Jupyter does, and serves until
/// interrupted.
enum UICommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom ui: unexpected argument \"\(extra)\"") }
        var address = args.options["--address"] ?? "127.0.0.1"
        if address == "localhost" { address = "127.0.0.1" }
        var port = 9001
        if let text = args.options["--port"] {
            guard let n = Int(text), (0...65535).contains(n) else {
                throw UsageError("fom ui: --port takes a number from 0 to 65535, not \"\(text)\"")
            }
            port = n
        }
        let context = try Context.load(args)
        let client = try Client.connectOrStart(context, command: "ui")
        let backend = try UIBackend(context: context, client: client, envName: args.options["--env"])
        Signals.ignore(SIGPIPE)
        let listener: Int32
        do {
            listener = try Sockets.listenTCP(host: address, port: port)
        } catch {
            throw Failure("cannot listen on \(address):\(port): \(error)")
        }
        port = Sockets.localPort(listener) ?? port
        let token: String
        do {
            token = try RandomBytes.hex(count: 24)
        } catch {
            throw Failure("\(error)")
        }
        if address != "127.0.0.1" && address != "localhost" {
            Output.err(
                "fom ui: warning: listening on \(address), not only this machine: anyone who can reach it and has the token can restart instances and read their environment"
            )
        }
        let security = WebSecurity(token: token, address: address, port: port)
        let server = try WebServer(listener: listener, security: security, limits: HTTPLimits(), backend: backend)
        let url = "http://\(address):\(port)/?token=\(token)"
        Output.out("fom ui: serving the dashboard of \(context.config.path)")
        Output.out("    \(url)")
        if args.has("--open") { open(url, context: context) }
        server.run()
    }

    /// `xdg-open URL` by argv (no shell); a missing xdg-open is only a note.
    static func open(_ url: String, context: Context) {
        guard
            let opener = Spawn.resolveExecutable(
                "xdg-open", base: context.config.directory, searchPath: context.environment["PATH"])
        else {
            Output.err("fom ui: --open: xdg-open is not installed; open the URL above yourself")
            return
        }
        let environment = context.environment.map { "\($0.key)=\($0.value)" }
        let sink = Glibc.open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if sink >= 0 { Glibc.close(sink) } }
        _ = try? Spawn.start(
            executable: opener, arguments: ["xdg-open", url], environment: environment,
            directory: context.config.directory, outputDescriptor: sink >= 0 ? sink : nil)
    }
}

/// The dashboard's view of fom: the daemon's watch stream, the CLI itself for operations (run as
/// `fom ...` children, so the answers are the CLI's), and the log files read as `fom logs -f`.
final class UIBackend: DashboardBackend {
    let context: Context
    let envName: String?
    var stream: WatchStream?

    static let reconnectTimeout: Duration = .milliseconds(500)

    init(context: Context, client: Client, envName: String?) throws {
        self.context = context
        self.envName = envName
        stream = try WatchStream(client)
    }

    var watchDescriptor: Int32? { stream?.fd }

    func receiveWatch() -> Bool {
        guard let stream else { return false }
        if (try? stream.receive()) == true { return true }
        stream.client.close()
        self.stream = nil
        return false
    }

    func dropWatchIfSilent() -> Bool {
        guard let stream, (try? stream.checkSilence()) == nil else { return false }
        record(
            "fom ui: the daemon sent nothing on the watch stream for \(DurationText.format(stream.silenceLimit)); reconnecting"
        )
        stream.client.close()
        self.stream = nil
        return true
    }

    func reconnectWatch() -> Bool {
        // Asked each second from the server's loop, which must not wait for a silent daemon for
        // the whole timeout: a short one here, and the next turn tries again.
        var quick = context
        quick.timeout = min(context.timeout ?? Client.defaultTimeout, Self.reconnectTimeout)
        guard let client = try? Client.connect(quick) else { return false }
        guard let stream = try? WatchStream(client, silenceLimit: context.timeout ?? Client.defaultTimeout) else {
            client.close()
            return false
        }
        self.stream = stream
        return true
    }

    func rows() -> [InstanceInfo] { stream?.currentRows() ?? [] }

    func command(_ words: [String]) -> (
        executable: String, arguments: [String], environment: [String], directory: String
    ) {
        var arguments = ["fom"] + words + ["--config", context.config.path]
        if let envName { arguments += ["--env", envName] }
        // The ui's --timeout holds for the operations it runs too.
        if let timeout = context.timeout { arguments += ["--timeout", DurationText.format(timeout)] }
        var environment = context.environment
        environment["NO_COLOR"] = "1"
        return (
            Files.executablePath(), arguments, environment.map { "\($0.key)=\($0.value)" }, context.config.directory
        )
    }

    func openLogs(_ instance: String) -> LogFollowing? {
        // The daemon's rows name what runs now (an instance added since the ui started too).
        let known = rows().first { $0.name == instance || String($0.id) == instance }
        guard let name = known?.name else { return nil }
        return UILogFollower(directory: context.config.logs.dir, name: name)
    }

    func record(_ message: String) {
        let line = Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " " + message + "\n"
        let fd = Glibc.open(context.config.logs.dir + "/fom.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        // One write with O_APPEND: the line lands whole after whatever the daemon wrote.
        try? FileDescriptor.writeAll(fd, line)
        FileDescriptor.close(fd)
    }
}

/// stdout and stderr of one instance, through the same printers as `fom logs -f`.
final class UILogFollower: LogFollowing {
    var printers: [LogsCommand.LinePrinter]
    var tailed = false

    init(directory: String, name: String) {
        printers = [false, true].map { isErr in
            LogsCommand.LinePrinter(
                source: LogsCommand.Source(
                    label: name, path: "\(directory)/\(name).\(isErr ? "err" : "out").log", isErr: isErr),
                width: 0)
        }
    }

    private func lines(_ raw: [[UInt8]], isErr: Bool) -> [FomWeb.LogLine] {
        raw.map { FomWeb.LogLine(stream: isErr ? "err" : "out", text: String(decoding: $0, as: UTF8.self)) }
    }

    func tail(_ count: Int) -> [FomWeb.LogLine] {
        // stdout and stderr as one stream, by time when the lines carry it (as `fom logs` shows
        // them); the last `count` of them.
        let merged = LogMerge.merge(printers.indices.map { printers[$0].readAll() })
        tailed = true
        return merged.suffix(count).map {
            FomWeb.LogLine(
                stream: printers[$0.source].source.isErr ? "err" : "out",
                text: String(decoding: $0.bytes, as: UTF8.self))
        }
    }

    func poll() -> [FomWeb.LogLine] {
        if !tailed { return tail(0) }
        var collected: [FomWeb.LogLine] = []
        for i in printers.indices { collected += lines(printers[i].catchUp(), isErr: printers[i].source.isErr) }
        return collected
    }
}
