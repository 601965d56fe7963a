import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The CLI's end of the control socket: one JSON line out, one JSON line back. Every wait on
/// the daemon (connect, the write of the request, the answer, the silence of a watch stream) is
/// bounded by one `Deadline` of `--timeout` (else each request's default), and ends with the
/// same message: the CLI never waits for ever on a daemon that is stopped or stuck.
struct Client {
    let fd: Int32
    /// The fingerprint of supervisor.json as this CLI read it, and where it is.
    var configDigest = ""
    var configPath = ""
    var runtime: RuntimeDirectory
    /// `--timeout`, or nil for the default of each request.
    var timeout: Duration?

    var socketPath: String { runtime.socket }

    /// Requests answered at once wait this long by default; those that wait for instances to
    /// settle (start, stop, restart, kill) longer, as stop signals and ready checks take time.
    static let defaultTimeout: Duration = .seconds(30)
    static let defaultSettleTimeout: Duration = .seconds(600)

    /// A point in monotonic time that every wait of one exchange counts down to.
    struct Deadline {
        let limit: Duration
        let end: Int64

        init(_ limit: Duration) {
            self.limit = limit
            end = Clock.monotonicNanoseconds() + limit.nanoseconds
        }

        /// What is left, for poll(2); nil once it has passed.
        var leftMs: Int32? {
            let left = end - Clock.monotonicNanoseconds()
            guard left > 0 else { return nil }
            return Int32(min((left + 999_999) / 1_000_000, Int64(Int32.max)))
        }
    }

    /// Connects to a running daemon; nil when none listens. A socket this user may not reach
    /// (another user's daemon) is an error, not "no daemon"; one that does not accept within the
    /// timeout is a daemon that does not answer.
    static func connect(_ context: Context) throws -> Client? {
        let limit = context.timeout ?? defaultTimeout
        switch Sockets.connectUnixReporting(path: context.runtime.socket, timeoutMs: Deadline(limit).leftMs ?? 0) {
        case .connected(let fd):
            return Client(
                fd: fd, configDigest: context.configDigest, configPath: context.config.path,
                runtime: context.runtime, timeout: context.timeout)
        case .absent:
            return nil
        case .refused(let error):
            throw Failure("cannot reach the daemon: \(error) (a daemon of another user?)")
        case .timedOut:
            throw noAnswer(context.runtime, "did not accept the connection within \(DurationText.format(limit))")
        }
    }

    /// The one message for a daemon that keeps silent: its pid, and what to check. A stopped
    /// process (state T) holds its lock and its socket still queues connections, so it looks
    /// alive to everything but an answer.
    static func noAnswer(_ runtime: RuntimeDirectory, _ what: String) -> Failure {
        guard let pid = runtime.daemonPid() else {
            return Failure(
                "the daemon at \(runtime.socket) \(what); it may be stopped or overloaded (give it more time with --timeout)"
            )
        }
        let state = ProcFS.stat(pid)?.state
        if state == "T" || state == "t" {
            return Failure(
                "the daemon (pid \(pid)) \(what): it is stopped (state \(state!) in ps: SIGSTOP, Ctrl-Z or a debugger); 'kill -CONT \(pid)' resumes it"
            )
        }
        return Failure(
            "the daemon (pid \(pid)) \(what); it may be overloaded or stuck: check 'ps -o pid,stat,wchan:20 -p \(pid)' and fom.log, or give it more time with --timeout"
        )
    }

    /// How long `request` may wait for its answer.
    func limit(for request: Request) -> Duration {
        let waits = request.wait && [.start, .stop, .restart, .kill].contains(request.command)
        return timeout ?? (waits ? Self.defaultSettleTimeout : Self.defaultTimeout)
    }

    /// Sends one request line before the deadline (the socket is non-blocking: a daemon that
    /// does not read fills the buffer, and a blocking write would wait for ever).
    func send(_ request: Request, by deadline: Deadline) throws {
        let line = Array((request.json.serialized() + "\n").utf8)
        var sent = 0
        while sent < line.count {
            let result = line.withUnsafeBytes { Sockets.send(fd, UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .sent(let n):
                sent += n
            case .wouldBlock:
                guard let left = deadline.leftMs, Sockets.waitWritable(fd, timeoutMs: left) else {
                    throw Self.noAnswer(
                        runtime, "did not take the request within \(DurationText.format(deadline.limit))")
                }
            case .failed:
                throw Failure("the daemon closed the connection: \(SystemError("send"))")
            }
        }
    }

    /// Waits until the daemon sent something, before the deadline.
    func waitForAnswer(by deadline: Deadline) throws {
        guard let left = deadline.leftMs, Sockets.waitReadable(fd, timeoutMs: left) else {
            throw Self.noAnswer(runtime, "did not answer within \(DurationText.format(deadline.limit))")
        }
    }

    static func isDaemonRunning(_ context: Context) throws -> Bool {
        guard let client = try connect(context) else { return false }
        client.close()
        return true
    }

    /// Connects, starting the daemon in the background first when it is not running (as pm2
    /// does), and says so on stderr.
    static func connectOrStart(_ context: Context, command: String) throws -> Client {
        if let client = try connect(context) {
            if context.envName != nil {
                do {
                    let answer = try client.request(Request(.ping))
                    try context.checkDaemonEnvFile(answer["envFile"]?.stringValue, command: command)
                } catch {
                    client.close()
                    throw error
                }
            }
            return client
        }
        let pid = try startDaemon(context)
        Output.err("fom: the daemon was not running; started it (pid \(pid))")
        let deadline = Clock.monotonicNanoseconds() + 10_000_000_000
        var ours = true
        while Clock.monotonicNanoseconds() < deadline {
            if let client = try connect(context) { return client }
            if ours && (!Signals.isAlive(pid) || isZombie(pid)) {
                ours = false
                // Lost a race with another command's daemon, which answers soon; any other exit
                // is a real failure, told at once.
                let tail = startFailure(context)
                if !tail.contains("already running") {
                    throw Failure("the daemon exited at start: \(tail) (see \(context.runtime.daemonOutput))")
                }
            }
            usleep(2000)
        }
        let tail = startFailure(context)
        throw Failure(
            "no daemon answers on \(context.runtime.socket) after 10s\(ours ? "" : " (the one started here exited)")\(tail.isEmpty ? "" : ": \(tail)") (see \(context.runtime.daemonOutput))"
        )
    }

    private static func isZombie(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// `fom daemon --background` of this same binary, in its own session, output to
    /// `.fom/daemon.out`: emptied at each start, and only the daemon's start-up errors go there
    /// (its events go to fom.log, which rotates), so the file stays small.
    static func startDaemon(_ context: Context) throws -> Int32 {
        let directory: Directory
        do {
            directory = try context.runtime.prepare()
        } catch {
            throw Failure("\(error)")
        }
        let output = directory.openFile(RuntimeDirectory.daemonOutputName, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        if output < 0 { throw Failure(SystemError("open \(context.runtime.daemonOutput)").description) }
        defer { FileDescriptor.close(output) }
        var args = ["fom", "daemon", "--background", "--config", context.config.path]
        if let name = context.envName { args += ["--env", name] }
        let environment = context.environment.map { "\($0.key)=\($0.value)" }
        let child = try Spawn.start(
            executable: Files.executablePath(), arguments: args, environment: environment,
            directory: context.config.directory, outputDescriptor: output)
        return child.pid
    }

    /// The daemon's reason for exiting at start: its last `fom ...` line (a crash may have
    /// printed a backtrace after it), else its last line.
    static func startFailure(_ context: Context) -> String {
        let lines = (Files.readText(context.runtime.daemonOutput) ?? "").split(separator: "\n")
        let line = lines.last(where: { $0.hasPrefix("fom") }) ?? lines.last ?? ""
        return ProcFS.oneLine(String(line), limit: 400)
    }

    func request(_ request: Request) throws -> JSONValue {
        let deadline = Deadline(limit(for: request))
        try send(request, by: deadline)
        var buffer: [UInt8] = []
        while true {
            try waitForAnswer(by: deadline)
            let chunk: [UInt8]
            do {
                // nil: woken with nothing to read after all; wait again.
                guard let read = try FileDescriptor.read(fd, max: 1 << 20) else { continue }
                chunk = read
            } catch {
                throw Failure("the daemon closed the connection without an answer: \(error)")
            }
            guard !chunk.isEmpty else { throw Failure("the daemon closed the connection without an answer") }
            // Only the new bytes are searched: a large answer (env of a big .env) stays linear.
            let searchFrom = buffer.count
            buffer.append(contentsOf: chunk)
            if let newline = buffer[searchFrom...].firstIndex(of: 10) {
                let answer: JSONValue
                do {
                    answer = try JSONValue(parsing: Array(buffer[..<newline]))
                } catch {
                    throw Failure("the daemon's answer is not JSON: \(error)")
                }
                if answer["ok"]?.boolValue != true {
                    var message = answer["error"]?.stringValue ?? "the daemon refused the request"
                    if let digest = answer["configDigest"]?.stringValue, digest != configDigest {
                        message += "; note: " + Context.changedNote(configPath)
                    }
                    throw Failure(message)
                }
                return answer
            }
        }
    }

    func close() { FileDescriptor.close(fd) }
}
