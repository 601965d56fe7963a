import FomCore
import FomProtocol
import SystemKit

extension WebServer {
    /// Every path the dashboard serves. Reads are GET, changes are POST (checked by
    /// `WebSecurity`); an instance is named by id or name as on the command line.
    func route(_ request: HTTPRequest, _ connection: Connection) {
        switch security.check(request) {
        case .refused(let status, let reason):
            if request.path == "/" && status == 401 {
                return respond(
                    connection,
                    HTTPResponse(
                        status: 401, contentType: "text/html; charset=utf-8",
                        body: Array(
                            "<!doctype html><title>fom</title><p>A token is required: open the URL that <code>fom ui</code> printed.</p>\n"
                                .utf8)))
            }
            return respond(connection, .error(status, reason))
        case .setCookie(let path):
            admit(connection)
            return respond(
                connection,
                HTTPResponse(
                    status: 303, contentType: "text/plain", body: [],
                    headers: [("Location", path), ("Set-Cookie", security.cookie)]))
        case .allowed:
            admit(connection)
        }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let method = request.method == "HEAD" ? "GET" : request.method
        switch (method, parts.first, parts.count) {
        case ("GET", nil, _):
            respond(
                connection,
                HTTPResponse(
                    status: 200, contentType: "text/html; charset=utf-8", body: page,
                    headers: [
                        (
                            "Content-Security-Policy",
                            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"
                        )
                    ]))
        case ("GET", "metrics", 1):
            respond(
                connection,
                HTTPResponse(
                    status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: Array(MetricsText.render(backend.rows(), nowMs: Clock.wallMilliseconds()).utf8)))
        case ("GET", "events", 1) where request.method == "GET":
            connection.mode = .events
            send(connection, HTTPResponse.eventStreamHead() + rowsEvent())
        case (_, "api", _):
            api(method, Array(parts.dropFirst()), request, connection)
        default:
            respond(connection, .error(404, "no such page: \(request.path)"))
        }
    }

    func api(_ method: String, _ parts: [String], _ request: HTTPRequest, _ connection: Connection) {
        // An instance named like an option would be read as one by the CLI.
        if parts.count >= 2, parts[1].hasPrefix("-") || parts[1].isEmpty {
            return respond(connection, .error(400, "not an instance: \"\(parts[1])\""))
        }
        switch (method, parts.first ?? "", parts.count) {
        case ("GET", "list", 1):
            runJob(["list", "--json"], for: connection)
        case ("GET", "describe", 2):
            runJob(["describe", parts[1], "--json"], for: connection)
        case ("GET", "env", 2):
            runJob(["env", parts[1], "--json"], for: connection)
        case ("POST", "env", 3) where parts[2] == "reveal":
            // The second confirmation: the body names the instance again.
            let body = try? JSONValue(parsing: request.body)
            guard body?["confirm"]?.stringValue == parts[1] else {
                return respond(
                    connection, .error(400, "revealing secrets needs {\"confirm\": \"\(parts[1])\"} in the body"))
            }
            backend.record(
                "ui: the secrets of \(parts[1])'s environment were revealed in the dashboard (values not logged)")
            runJob(["env", parts[1], "--json", "--reveal"], for: connection)
        case ("GET", "logs", 2):
            guard let follower = backend.openLogs(parts[1]) else {
                return respond(connection, .error(404, "unknown instance \"\(parts[1])\""))
            }
            let n = request.query["lines"].flatMap { Int($0) }.map { min(max($0, 0), 10_000) } ?? 200
            respond(connection, .json(["ok": true, "lines": Self.linesJSON(follower.tail(n))]))
        case ("GET", "logs", 3) where parts[2] == "follow" && request.method == "GET":
            guard let follower = backend.openLogs(parts[1]) else {
                return respond(connection, .error(404, "unknown instance \"\(parts[1])\""))
            }
            let n = request.query["lines"].flatMap { Int($0) }.map { min(max($0, 0), 10_000) } ?? 200
            connection.mode = .logs(follower)
            send(
                connection,
                HTTPResponse.eventStreamHead()
                    + HTTPResponse.event("lines", Self.linesJSON(follower.tail(n)).serialized()))
        case ("POST", "start", 2), ("POST", "stop", 2), ("POST", "restart", 2), ("POST", "remove", 2):
            runJob([parts[0], parts[1], "--json"], for: connection)
        case ("POST", "edit", 2):
            guard let body = try? JSONValue(parsing: request.body), let on = body["cvatSync"]?.boolValue else {
                return respond(connection, .error(400, "edit takes {\"cvatSync\": true|false}"))
            }
            runJob(["edit", parts[1], "--cvat-sync", on ? "on" : "off", "--json"], for: connection)
        case ("POST", "add", 1):
            guard let body = try? JSONValue(parsing: request.body), case .object = body else {
                return respond(
                    connection, .error(400, "add takes a JSON object: {\"name\", \"port\", \"cvatSync\", \"database\"}")
                )
            }
            switch Self.addArguments(body) {
            case .success(let words): runJob(words, for: connection)
            case .failure(let error): respond(connection, .json(error.json, status: 400))
            }
        case (_, "list", _), (_, "describe", _), (_, "env", _), (_, "logs", _), (_, "start", _), (_, "stop", _),
            (_, "restart", _), (_, "remove", _), (_, "edit", _), (_, "add", _):
            respond(connection, .error(405, "\(method) /api/\(parts.joined(separator: "/")) is not an operation"))
        default:
            respond(connection, .error(404, "no such API: /api/\(parts.joined(separator: "/"))"))
        }
    }

    /// A field of the add form that cannot even be passed to `fom add`; the rest is checked by it.
    struct FieldError: Error {
        let field: String
        let message: String
        var json: JSONValue { ["ok": false, "field": .string(field), "error": .string(message)] }
    }

    /// `fom add NAME --port P [--cvat-sync] [--database D] --json` from the form's fields.
    static func addArguments(_ body: JSONValue) -> Result<[String], FieldError> {
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            return .failure(FieldError(field: "name", message: "a name is required"))
        }
        if name.hasPrefix("-") { return .failure(FieldError(field: "name", message: "a name cannot start with '-'")) }
        var words = ["add", name]
        switch body["port"] {
        case .none, .some(.null): break
        case .some(.string(let text)) where text.isEmpty: break
        case .some(.string(let text)): words += ["--port", text]
        case .some(let value):
            guard let port = value.intValue else {
                return .failure(FieldError(field: "port", message: "the port must be a number"))
            }
            words += ["--port", String(port)]
        }
        if body["cvatSync"]?.boolValue == true { words.append("--cvat-sync") }
        if let database = body["database"]?.stringValue, !database.isEmpty {
            if database.hasPrefix("-") {
                return .failure(FieldError(field: "database", message: "a database name cannot start with '-'"))
            }
            words += ["--database", database]
        }
        return .success(words + ["--json"])
    }
}

extension WebServer {
    /// A connection whose request the token admitted: the idle limit from now on, outside the
    /// pending budget.
    func admit(_ connection: Connection) {
        connection.admitted = true
        connection.deadline = Clock.monotonicNanoseconds() + limits.idleMilliseconds * 1_000_000
    }
}
