import FomCore
import FomProtocol
import FomRuntime
import Glibc
import SystemKit

/// The CLI's end of the control socket: one JSON line out, one JSON line back.
struct Client {
    let fd: Int32
    /// The fingerprint of supervisor.json as this CLI read it, and where it is.
    var configDigest = ""
    var configPath = ""
    var socketPath = ""
    /// `--timeout`, or nil for the default of each request.
    var timeout: Duration?

    /// Requests answered at once wait this long by default; those that wait for instances to
    /// settle (start, stop, restart, kill) longer, as stop signals and ready checks take time.
    static let defaultTimeout: Duration = .seconds(30)
    static let defaultSettleTimeout: Duration = .seconds(600)

    /// Connects to a running daemon; nil when none listens. A socket this user may not reach
    /// (another user's daemon) is an error, not "no daemon".
    static func connect(_ context: Context) throws -> Client? {
        switch Sockets.connectUnixReporting(path: context.runtime.socket) {
        case .connected(let fd):
            return Client(
                fd: fd, configDigest: context.configDigest, configPath: context.config.path,
                socketPath: context.runtime.socket, timeout: context.timeout)
        case .absent:
            return nil
        case .refused(let error):
            throw Failure("cannot reach the daemon: \(error) (a daemon of another user?)")
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
        let line = Array((request.json.serialized() + "\n").utf8)
        do {
            try FileDescriptor.writeAll(fd, line)
        } catch {
            throw Failure("the daemon closed the connection: \(error)")
        }
        let waits = request.wait && [.start, .stop, .restart, .kill].contains(request.command)
        let limit = timeout ?? (waits ? Self.defaultSettleTimeout : Self.defaultTimeout)
        let deadline = Clock.monotonicNanoseconds() + limit.nanoseconds
        var buffer: [UInt8] = []
        while true {
            let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
            guard left > 0, Sockets.waitReadable(fd, timeoutMs: Int32(min(left, Int64(Int32.max)))) else {
                throw Failure(
                    "the daemon at \(socketPath) did not answer within \(DurationText.format(limit)); it may be stopped or overloaded (give more time with --timeout)"
                )
            }
            guard let chunk = try? FileDescriptor.read(fd, max: 1 << 20), !chunk.isEmpty else {
                throw Failure("the daemon closed the connection without an answer")
            }
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
