import FomCore
import FomProtocol
import SystemKit

/// The dashboard's HTTP/1.1 server: one thread, epoll, non-blocking sockets, as the daemon.
/// Requests are parsed by `HTTPRequestParser` within `HTTPLimits`; every request passes
/// `WebSecurity`; operations run the CLI itself (`fom restart ID --json` and so on) as
/// children whose output pipes sit in the same loop, so a slow restart never blocks the page,
/// and the answers are the CLI's `--json` answers byte for byte.
public final class WebServer {
    let listener: Int32
    let poll: EventPoll
    let security: WebSecurity
    let limits: HTTPLimits
    let backend: DashboardBackend
    let page: [UInt8]
    var connections: [UInt64: Connection] = [:]
    /// Pipe descriptor token -> job.
    var jobPipes: [UInt64: (job: Job, isOut: Bool)] = [:]
    var nextToken: UInt64 = 16
    var lastKeepAlive = Clock.monotonicNanoseconds()
    var lastReconnect: Int64 = 0
    static let listenerToken: UInt64 = 1
    static let watchToken: UInt64 = 2

    public init(listener: Int32, security: WebSecurity, limits: HTTPLimits, backend: DashboardBackend) throws {
        self.listener = listener
        self.security = security
        self.limits = limits
        self.backend = backend
        self.page = Array(DashboardPage.html.utf8)
        poll = try EventPoll()
        poll.add(listener, token: Self.listenerToken)
        if let fd = backend.watchDescriptor { poll.add(fd, token: Self.watchToken) }
    }

    final class Connection {
        let fd: Int32
        let token: UInt64
        var parser: HTTPRequestParser
        var outbox: [UInt8] = []
        var closeAfterWrite = false
        /// When the request being received must be complete (slow clients are cut off).
        var deadline: Int64
        enum Mode { case requests, waiting, events, logs(LogFollowing) }
        var mode = Mode.requests
        var keepAlive = true
        /// A HEAD request: the answer's head only.
        var isHead = false
        /// Set once a request passed the token check: until then the connection is pending, on
        /// the short header deadline and in the small budget that the oldest is evicted from.
        var admitted = false

        init(fd: Int32, token: UInt64, limits: HTTPLimits, now: Int64) {
            self.fd = fd
            self.token = token
            self.parser = HTTPRequestParser(limits: limits)
            self.deadline = now + limits.headerMilliseconds * 1_000_000
        }

        var isStream: Bool {
            switch mode {
            case .events, .logs: true
            default: false
            }
        }
    }

    /// A `fom` child answering one request.
    final class Job {
        let pid: Int32
        let connection: UInt64
        var stdout: Int32
        var stderr: Int32
        var out: [UInt8] = []
        var err: [UInt8] = []
        init(pid: Int32, connection: UInt64, stdout: Int32, stderr: Int32) {
            self.pid = pid
            self.connection = connection
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Serves until the process is ended.
    public func run() -> Never {
        while true { step() }
    }

    /// One turn of the loop: waits for descriptors (at most a second, 200 ms while logs are
    /// followed), handles them, then deadlines and keep-alives.
    public func step(maxWaitMs: Int32 = 1000) {
        let following = connections.values.contains { if case .logs = $0.mode { true } else { false } }
        for event in poll.wait(timeoutMs: following ? min(200, maxWaitMs) : maxWaitMs) {
            handle(event)
        }
        tick()
    }

    /// Open connections (for tests of the bounds).
    public var connectionCount: Int { connections.count }

    func handle(_ event: EventPoll.Event) {
        switch event.token {
        case Self.listenerToken:
            acceptAll()
        case Self.watchToken:
            if !backend.receiveWatch() {
                if let fd = backend.watchDescriptor { poll.remove(fd) }
                broadcast(HTTPResponse.event("daemon", "{\"connected\": false}"))
            } else {
                pushRows()
            }
        default:
            if let pipe = jobPipes[event.token] {
                readJob(pipe.job, isOut: pipe.isOut, token: event.token)
            } else if let connection = connections[event.token] {
                if event.readable || event.hangup { readConnection(connection) }
                if event.writable, connections[event.token] != nil { flush(connection) }
            }
        }
    }

    // MARK: connections

    func acceptAll() {
        while case .accepted(let fd) = Sockets.accept(listener) {
            let token = nextToken
            nextToken += 1
            let connection = Connection(fd: fd, token: token, limits: limits, now: Clock.monotonicNanoseconds())
            connections[token] = connection
            poll.add(fd, token: token)
            // Room is made by closing the oldest pending connection (the newest is the one
            // most likely to send its request next); only a server full of admitted clients
            // turns a newcomer away.
            while pendingCount > limits.pendingConnections || connections.count > limits.connections {
                guard let oldest = oldestPending, oldest !== connection else { break }
                close(oldest)
            }
            if connections.count > limits.connections {
                respond(connection, .error(503, "too many connections"), close: true)
            }
        }
    }

    var pendingCount: Int { connections.values.reduce(0) { $0 + ($1.admitted ? 0 : 1) } }

    /// The pending connection accepted first (tokens only grow).
    var oldestPending: Connection? {
        connections.values.filter { !$0.admitted }.min { $0.token < $1.token }
    }

    func readConnection(_ connection: Connection) {
        let chunk: [UInt8]?
        do {
            chunk = try FileDescriptor.read(connection.fd, max: 16384)
        } catch {
            return close(connection)
        }
        guard let chunk else { return }
        if chunk.isEmpty { return close(connection) }
        if connection.isStream { return }  // a stream only sends
        // Bytes that arrive while a request waits for its answer are the next request.
        connection.parser.feed(chunk)
        processRequests(connection)
    }

    func processRequests(_ connection: Connection) {
        while case .requests = connection.mode, connections[connection.token] != nil, !connection.closeAfterWrite {
            switch connection.parser.next() {
            case .incomplete:
                return
            case .failure(let status, let reason):
                respond(connection, .error(status, reason), close: true)
                return
            case .request(let request):
                // Set again by route once the token check has been made.
                connection.deadline = Clock.monotonicNanoseconds() + limits.headerMilliseconds * 1_000_000
                connection.keepAlive = request.keepAlive
                connection.isHead = request.method == "HEAD"
                route(request, connection)
            }
        }
    }

    func respond(_ connection: Connection, _ response: HTTPResponse, close: Bool = false) {
        let keep = connection.keepAlive && !close
        connection.mode = .requests
        if !keep { connection.closeAfterWrite = true }
        var bytes = response.serialized(keepAlive: keep)
        if connection.isHead { bytes.removeLast(response.body.count) }
        send(connection, bytes)
        if keep, connections[connection.token] != nil, connection.parser.pending > 0 { processRequests(connection) }
    }

    func send(_ connection: Connection, _ bytes: [UInt8]) {
        connection.outbox.append(contentsOf: bytes)
        flush(connection)
    }

    func flush(_ connection: Connection) {
        while !connection.outbox.isEmpty {
            guard let n = Sockets.sendSome(connection.fd, connection.outbox[...]) else { return close(connection) }
            if n == 0 { break }
            connection.outbox.removeFirst(n)
        }
        if connection.outbox.isEmpty {
            if connection.closeAfterWrite { return close(connection) }
            poll.modify(connection.fd, token: connection.token, readable: true, writable: false)
        } else if connection.outbox.count > 4 << 20 {
            // A stream reader that stopped reading: let it go rather than grow without bound.
            close(connection)
        } else {
            poll.modify(connection.fd, token: connection.token, readable: true, writable: true)
        }
    }

    func close(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.token) != nil else { return }
        poll.remove(connection.fd)
        FileDescriptor.close(connection.fd)
    }

    /// Deadlines, keep-alives, log following, the daemon's stream coming back.
    func tick() {
        let now = Clock.monotonicNanoseconds()
        for connection in Array(connections.values) {
            switch connection.mode {
            case .requests where now > connection.deadline:
                if connection.parser.pending > 0 {
                    respond(connection, .error(408, "the request was not complete in time"), close: true)
                } else {
                    close(connection)
                }
            case .logs(let follower):
                let lines = follower.poll()
                if !lines.isEmpty { send(connection, HTTPResponse.event("lines", Self.linesJSON(lines).serialized())) }
            default:
                break
            }
        }
        if now - lastKeepAlive > 15_000_000_000 {
            lastKeepAlive = now
            for connection in connections.values where connection.isStream {
                send(connection, Array(": keep-alive\n\n".utf8))
            }
        }
        if let fd = backend.watchDescriptor, backend.dropWatchIfSilent() {
            poll.remove(fd)
            broadcast(HTTPResponse.event("daemon", "{\"connected\": false}"))
        }
        if backend.watchDescriptor == nil, now - lastReconnect > 1_000_000_000 {
            lastReconnect = now
            if backend.reconnectWatch(), let fd = backend.watchDescriptor {
                poll.add(fd, token: Self.watchToken)
                broadcast(HTTPResponse.event("daemon", "{\"connected\": true}"))
                pushRows()
            }
        }
    }

    // MARK: streams

    func rowsEvent() -> [UInt8] {
        let rows = backend.rows()
        return HTTPResponse.event(
            "rows", JSONValue.object(JSONObject([(key: "instances", value: .array(rows.map(\.json)))])).serialized())
    }

    func pushRows() {
        let streams = connections.values.filter { if case .events = $0.mode { true } else { false } }
        guard !streams.isEmpty else { return }
        let event = rowsEvent()
        for connection in streams { send(connection, event) }
    }

    func broadcast(_ event: [UInt8]) {
        for connection in connections.values {
            if case .events = connection.mode { send(connection, event) }
        }
    }

    static func linesJSON(_ lines: [LogLine]) -> JSONValue {
        .array(
            lines.map {
                .object(
                    JSONObject([(key: "stream", value: .string($0.stream)), (key: "text", value: .string($0.text))]))
            })
    }

    // MARK: jobs

    /// Runs `fom WORDS...` for this connection; the answer goes out when it ends.
    func runJob(_ words: [String], for connection: Connection) {
        let command = backend.command(words)
        let child: SpawnedChild
        do {
            child = try Spawn.start(
                executable: command.executable, arguments: command.arguments, environment: command.environment,
                directory: command.directory)
        } catch {
            return respond(connection, .error(500, "cannot run fom: \(error)"))
        }
        FileDescriptor.setNonBlocking(child.stdout)
        FileDescriptor.setNonBlocking(child.stderr)
        let job = Job(pid: child.pid, connection: connection.token, stdout: child.stdout, stderr: child.stderr)
        for (fd, isOut) in [(child.stdout, true), (child.stderr, false)] {
            let token = nextToken
            nextToken += 1
            jobPipes[token] = (job, isOut)
            poll.add(fd, token: token)
        }
        connection.mode = .waiting
    }

    func readJob(_ job: Job, isOut: Bool, token: UInt64) {
        let fd = isOut ? job.stdout : job.stderr
        var ended = false
        do {
            guard let chunk = try FileDescriptor.read(fd, max: 65536) else { return }
            if chunk.isEmpty {
                ended = true
            } else if isOut {
                job.out += chunk
            } else {
                job.err += chunk
            }
        } catch {
            ended = true
        }
        guard ended else { return }
        poll.remove(fd)
        FileDescriptor.close(fd)
        jobPipes.removeValue(forKey: token)
        if isOut { job.stdout = -1 } else { job.stderr = -1 }
        guard job.stdout < 0 && job.stderr < 0 else { return }
        let status = Spawn.waitFor(job.pid)
        guard let connection = connections[job.connection] else { return }
        respond(connection, Self.answer(status: status, stdout: job.out, stderr: job.err))
    }

    /// The CLI's `--json` answer when it succeeded; otherwise its error line(s), its exit code,
    /// and its JSON answer when it printed one (an instance that did not come online).
    static func answer(status: TerminationStatus, stdout: [UInt8], stderr: [UInt8]) -> HTTPResponse {
        let parsed = try? JSONValue(parsing: stdout)
        let errorText = String(decoding: stderr, as: UTF8.self).split(separator: "\n").joined(separator: "\n")
        if status == .exited(0) {
            if let parsed { return .json(parsed) }
            return .json(["ok": true, "output": .string(String(decoding: stdout, as: UTF8.self))])
        }
        var o = JSONObject()
        o["ok"] = false
        o["error"] = .string(errorText.isEmpty ? "fom failed (\(status))" : errorText)
        switch status {
        case .exited(let code): o["exitCode"] = JSONValue(Int(code))
        case .signaled(let signal): o["signal"] = JSONValue(Int(signal))
        }
        o["answer"] = parsed ?? .null
        return .json(.object(o), status: 422)
    }
}
