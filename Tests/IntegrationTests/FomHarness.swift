import Foundation
import XCTest

/// The real `fom` binary in a temporary directory with real children. Every wait polls for a
/// condition under a deadline; nothing sleeps a fixed time to "let things happen".
final class FomHarness {
    let dir: String
    let binary: String
    var extraEnvironment: [String: String] = [:]
    /// Long-running fom processes of a test (`logs -f`, `daemon`), ended by `tearDown`.
    var background: [Process] = []

    struct Result {
        let code: Int32
        let out: String
        let err: String
    }

    init(config: String, file: StaticString = #filePath, line: UInt = #line) throws {
        binary = try FomHarness.findBinary()
        // Short paths: the control socket's path must fit in sockaddr_un.
        let template = "/tmp/fomt-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw NSError(domain: "mkdtemp", code: 1) }
        dir = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try write("supervisor.json", config)
    }

    static func findBinary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["FOM_BINARY"] { return explicit }
        // The test bundle sits in the build directory beside the fom executable.
        var url = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = url.appendingPathComponent("fom").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        let fromArgs = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for base in [
            fromArgs, fromArgs.deletingLastPathComponent(),
            fromArgs.deletingLastPathComponent().deletingLastPathComponent(),
        ] {
            let candidate = base.appendingPathComponent("fom").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NSError(domain: "fom binary not found next to \(Bundle.main.bundlePath); set FOM_BINARY", code: 1)
    }

    /// A free TCP port on 127.0.0.1, from the kernel.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func path(_ name: String) -> String { dir + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) -> String { (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "" }

    @discardableResult
    func fom(_ args: String..., timeout: TimeInterval = 60) -> Result { run(args, timeout: timeout) }

    func run(_ args: [String], timeout: TimeInterval = 60) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "FOM_CONFIG")
        env.removeValue(forKey: "FOM_HOME")
        for (k, v) in extraEnvironment { env[k] = v }
        process.environment = env
        let outFile = path(".out-\(UUID().uuidString)")
        let errFile = path(".err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outFile)
            try? FileManager.default.removeItem(atPath: errFile)
        }
        // Files rather than pipes: a daemon started in the background must not hold our pipe open.
        process.standardOutput = FileHandle(forWritingAtPath: outFile)
        process.standardError = FileHandle(forWritingAtPath: errFile)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Result(code: -1, out: "", err: "\(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return Result(
                code: -2, out: read(outFile), err: "timed out after \(timeout)s: fom \(args.joined(separator: " "))")
        }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        return Result(code: process.terminationStatus, out: out, err: err)
    }

    /// `fom list --json` as dictionaries by name.
    func list() -> [String: [String: Any]] {
        let result = fom("list", "--json")
        guard let data = result.out.data(using: .utf8),
            let rows = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [:] }
        var byName: [String: [String: Any]] = [:]
        for row in rows { if let name = row["name"] as? String { byName[name] = row } }
        return byName
    }

    func status(_ name: String) -> String? { list()[name]?["status"] as? String }
    func pid(_ name: String) -> Int32? { (list()[name]?["pid"] as? Int).map(Int32.init) }

    /// Polls `condition` until it holds or the deadline passes.
    @discardableResult
    func waitUntil(
        _ what: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line,
        _ condition: () -> Bool
    ) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        XCTFail("timed out after \(timeout)s waiting for: \(what)", file: file, line: line)
        return false
    }

    /// Pids whose command line contains `token` (each test child carries a unique one).
    static func pids(withToken token: String) -> [Int32] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != me,
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let state = stat[stat.index(close, offsetBy: 2)]
            if state == "Z" { return nil }
            let cmd = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return cmd.contains(token) ? pid : nil
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    func daemonPid() -> Int32? {
        guard let text = try? String(contentsOfFile: path(".fom/daemon.lock"), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Writes raw bytes to the control socket to the socket and reads `lines` answer lines.
    func rawExchange(_ bytes: [UInt8], lines: Int = 1) throws -> String {
        let path = self.path(".fom/fom.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        XCTAssertEqual(rc, 0)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the daemon may close after answering an over-long line
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while answer.filter({ $0 == 10 }).count < lines {
            let n = recv(fd, &buffer, 4096, 0)
            if n <= 0 { break }
            answer.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Starts `fom ARGS` without waiting; its stdout goes to the file `stdout` in the directory.
    @discardableResult
    func startInBackground(_ args: [String], stdout: String, stderr: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        process.environment = env
        _ = FileManager.default.createFile(atPath: path(stdout), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: path(stdout))
        if let stderr {
            _ = FileManager.default.createFile(atPath: path(stderr), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: path(stderr))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        background.append(process)
        return process
    }

    /// Stops the daemon and everything it ran, then removes the directory.
    func tearDown() {
        for process in background where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        _ = fom("kill", timeout: 60)
        if let pid = daemonPid(), FomHarness.isAlive(pid) { kill(pid, SIGKILL) }
        let marker = "FOM_TREE="
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let env = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")) ?? ""
            if String(decoding: env, as: UTF8.self).contains(marker) && cwd.hasPrefix(dir) { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}
