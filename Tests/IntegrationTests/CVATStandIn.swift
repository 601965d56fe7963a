import Foundation
import XCTest

/// A stand-in for a CVAT server, written here so that doctor's tests need no real CVAT: a small
/// Python HTTP server on a port the kernel picks, answering as CVAT does (cvat-ai/cvat, REFERENCE.md
/// "CVAT REST API"): `/api/server/about` with a version and no login; `/api/auth/login` with 200,
/// a `key` and the `sessionid` and `csrftoken` cookies for the right user name or email and
/// password, and 400 `{"non_field_errors": ["Unable to log in with provided credentials."]}`
/// otherwise; `/api/users/self` with the user (200) for the session cookie or `Authorization:
/// Token KEY`, 401 without; `/api/auth/logout` (200 only with the session and its CSRF token);
/// 404 for anything else, `/api/v1/...` included. `tls` serves HTTPS with a self-signed certificate made by openssl;
/// `silent` accepts connections and never answers. Every request is logged to `log`.
final class CVATStandIn {
    enum Mode: String { case http, tls, silent }

    let port: Int
    let log: String
    /// The self-signed certificate (tls only).
    let certificate: String?
    private let process: Process
    private let dir: String

    static let script = #"""
        import json, os, socket, ssl, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        mode = sys.argv[1]
        user, password, log = os.environ.get("STANDIN_USER", ""), os.environ.get("STANDIN_PASSWORD", ""), os.environ.get("STANDIN_LOG")

        def record(line):
            if log:
                with open(log, "a") as f:
                    f.write(line + "\n")

        class CVAT(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body, cookies=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for cookie in cookies:
                    self.send_header("Set-Cookie", cookie)
                self.end_headers()
                self.wfile.write(data)

            def has_session(self):
                cookies = [c.strip() for c in (self.headers.get("Cookie") or "").split(";")]
                return "sessionid=s1" in cookies or self.headers.get("Authorization") == "Token standin-key"

            def do_GET(self):
                record("GET " + self.path)
                if self.path == "/api/server/about":
                    self.answer(200, {"name": "Computer Vision Annotation Tool", "version": "2.99.0-standin", "description": "stand-in"})
                elif self.path == "/api/users/self":
                    if self.has_session():
                        record("self with session")
                        self.answer(200, {"url": "http://%s/api/users/1" % self.headers.get("Host"), "id": 1,
                                          "username": user, "first_name": "", "last_name": "", "email": "",
                                          "groups": ["user"], "is_staff": False, "is_superuser": False,
                                          "is_active": True, "last_login": "2026-12-07T00:00:00Z",
                                          "date_joined": "2026-01-01T00:00:00Z", "has_analytics_access": False})
                    else:
                        record("self without session")
                        self.answer(401, {"detail": "Authentication credentials were not provided."})
                else:
                    self.answer(404, {"detail": "Not found."})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                record("POST " + self.path)
                if self.path == "/api/auth/login":
                    try:
                        creds = json.loads(body)
                    except ValueError:
                        creds = {}
                    good = creds.get("password") == password and (creds.get("username") == user or creds.get("email") == user)
                    if good:
                        self.answer(200, {"key": "standin-key"}, [
                            "csrftoken=c1; expires=Thu, 02 Dec 2027 00:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax",
                            "sessionid=s1; expires=Mon, 21 Dec 2026 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax",
                        ])
                    else:
                        self.answer(400, {"non_field_errors": ["Unable to log in with provided credentials."]})
                elif self.path == "/api/auth/logout":
                    cookies = [c.strip() for c in (self.headers.get("Cookie") or "").split(";")]
                    ok = self.headers.get("X-CSRFToken") == "c1" and "sessionid=s1" in cookies
                    record("logout " + ("with session" if ok else "without session"))
                    self.answer(200 if ok else 403, {"detail": "Successfully logged out."})
                else:
                    self.answer(404, {"detail": "Not found."})

        if mode == "silent":
            # Accepts connections (the kernel does, from the backlog) and never answers.
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(16)
            print(server.getsockname()[1], flush=True)
            while True:
                time.sleep(3600)

        server = ThreadingHTTPServer(("127.0.0.1", 0), CVAT)
        if mode == "tls":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init(
        _ mode: Mode, user: String = "fiftyone", password: String = "s3cret-pass", file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        dir = "/tmp/fomcvat-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        log = dir + "/requests.log"
        try Self.script.write(toFile: dir + "/cvat.py", atomically: true, encoding: .utf8)
        var arguments = [dir + "/cvat.py", mode.rawValue]
        if mode == .tls {
            certificate = dir + "/cert.pem"
            try Self.makeCertificate(in: dir)
            arguments += [dir + "/cert.pem", dir + "/key.pem"]
        } else {
            certificate = nil
        }
        let portFile = dir + "/port"
        _ = FileManager.default.createFile(atPath: portFile, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["STANDIN_USER"] = user
        env["STANDIN_PASSWORD"] = password
        env["STANDIN_LOG"] = log
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: portFile)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n"), let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                found = value
                break
            }
            usleep(20_000)
        }
        guard let found else {
            process.terminate()
            throw NSError(domain: "the CVAT stand-in (\(mode)) did not start with python3", code: 1)
        }
        port = found
    }

    var url: String { "\(certificate == nil ? "http" : "https")://127.0.0.1:\(port)" }

    var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A self-signed certificate for 127.0.0.1, made now (scripts/setup installs openssl).
    static func makeCertificate(in dir: String) throws {
        guard
            let openssl = ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw NSError(domain: "openssl is not installed (scripts/setup installs it)", code: 1)
        }
        let make = Process()
        make.executableURL = URL(fileURLWithPath: openssl)
        make.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        make.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        make.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0, FileManager.default.fileExists(atPath: dir + "/cert.pem") else {
            throw NSError(domain: "openssl could not make a self-signed certificate", code: 1)
        }
    }
}
