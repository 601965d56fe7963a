import Glibc

/// How a program run under a deadline ended: its status, or nil when it was still running at
/// the deadline (it was killed, with its whole process group).
public struct BriefRun: Sendable {
    public let status: TerminationStatus?
    /// Its stdout and stderr together, cut at the limit asked for.
    public let output: [UInt8]
}

extension Spawn {
    /// Runs a program (argv, no shell) in a session of its own and waits for it at most
    /// `timeoutMs`: a program that hangs, or leaves a child holding its output open, is killed
    /// (its process group) and reaped, so the caller never waits past the deadline.
    public static func runBriefly(
        executable: String, arguments: [String], environment: [String], directory: String = "/",
        timeoutMs: Int, outputLimit: Int = 4096
    ) throws(SystemError) -> BriefRun {
        let child = try start(
            executable: executable, arguments: arguments, environment: environment, directory: directory)
        let deadline = Clock.monotonicNanoseconds() + Int64(timeoutMs) * 1_000_000
        var output: [UInt8] = []
        var open = [child.stdout, child.stderr]
        var buffer = [UInt8](repeating: 0, count: 4096)
        var timedOut = false
        while !open.isEmpty {
            let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
            if left <= 0 {
                timedOut = true
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), Int32(min(left, 60_000))) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    output.append(contentsOf: buffer[0..<min(n, max(0, outputLimit - output.count))])
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    Glibc.close(p.fd)
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        for fd in open { Glibc.close(fd) }
        var status: Int32 = 0
        if !timedOut {
            // Its output is closed; it may still run a moment (or hang after closing it).
            while Clock.monotonicNanoseconds() < deadline {
                let r = waitpid(child.pid, &status, WNOHANG)
                if r == child.pid { return BriefRun(status: TerminationStatus(waitStatus: status), output: output) }
                if r < 0 && errno != EINTR { return BriefRun(status: nil, output: output) }
                usleep(1000)
            }
        }
        // Past the deadline: the whole group goes (it leads its own session), then it is reaped.
        kill(-child.pid, SIGKILL)
        kill(child.pid, SIGKILL)
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        return BriefRun(status: nil, output: output)
    }
}
