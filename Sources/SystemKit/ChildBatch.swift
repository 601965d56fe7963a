import Glibc

/// One short-lived helper program to run with its output captured (`fom doctor`'s probes).
public struct ChildJob: Sendable {
    public var executable: String
    public var arguments: [String]
    /// `KEY=VALUE` lines: the child's whole environment.
    public var environment: [String]
    public var directory: String

    public init(executable: String, arguments: [String], environment: [String], directory: String) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
    }
}

/// What a helper printed and how it ended.
public struct ChildOutput: Sendable {
    public var stdout: [UInt8] = []
    public var stderr: [UInt8] = []
    /// nil when it could not be started.
    public var status: TerminationStatus?
    /// It was still running at the deadline and was killed (with its process group).
    public var timedOut = false
    public var startError: String?
}

/// Several helpers run side by side: started together, read through one epoll until each has
/// closed its output or the deadline passes, then killed if still running, and reaped. Each one
/// leads its own session, so the kill reaches whatever it started.
public final class ChildBatch {
    private var pids: [Int32] = []
    private var outputs: [ChildOutput] = []
    /// (descriptor, child index, is stderr)
    private var open: [(fd: Int32, index: Int, isErr: Bool)] = []

    public init(_ jobs: [ChildJob]) {
        for job in jobs {
            var output = ChildOutput()
            do {
                let child = try Spawn.start(
                    executable: job.executable, arguments: job.arguments, environment: job.environment,
                    directory: job.directory)
                pids.append(child.pid)
                open.append((child.stdout, outputs.count, false))
                open.append((child.stderr, outputs.count, true))
            } catch {
                pids.append(-1)
                output.startError = error.description
            }
            outputs.append(output)
        }
    }

    deinit {
        for entry in open { FileDescriptor.close(entry.fd) }
    }

    /// Waits for every child until `deadline` (monotonic nanoseconds); keeps at most `limit`
    /// bytes of each stream.
    public func collect(deadline: Int64, limit: Int = 1 << 20) -> [ChildOutput] {
        if let poll = try? EventPoll() {
            for (token, entry) in open.enumerated() { poll.add(entry.fd, token: UInt64(token)) }
            var remaining = open.count
            while remaining > 0 {
                let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
                if left <= 0 { break }
                for event in poll.wait(timeoutMs: Int32(min(left, 1000))) {
                    let entry = open[Int(event.token)]
                    guard entry.fd >= 0 else { continue }
                    // nil: an error (or a spurious wake-up); either way, nothing more from it.
                    if let chunk = try? FileDescriptor.read(entry.fd, max: 65536), !chunk.isEmpty {
                        append(chunk, to: entry, limit: limit)
                        continue
                    }
                    poll.remove(entry.fd)
                    FileDescriptor.close(entry.fd)
                    open[Int(event.token)].fd = -1
                    remaining -= 1
                }
            }
        }
        for (index, pid) in pids.enumerated() where pid > 0 {
            outputs[index].status = reap(pid, deadline: deadline, timedOut: &outputs[index].timedOut)
        }
        // What a killed child wrote just before the deadline is still in its pipe.
        for i in open.indices where open[i].fd >= 0 {
            FileDescriptor.setNonBlocking(open[i].fd)
            while let chunk = try? FileDescriptor.read(open[i].fd, max: 65536), !chunk.isEmpty {
                append(chunk, to: open[i], limit: limit)
            }
            FileDescriptor.close(open[i].fd)
            open[i].fd = -1
        }
        return outputs
    }

    private func append(_ chunk: [UInt8], to entry: (fd: Int32, index: Int, isErr: Bool), limit: Int) {
        if entry.isErr {
            if outputs[entry.index].stderr.count < limit { outputs[entry.index].stderr += chunk }
        } else if outputs[entry.index].stdout.count < limit {
            outputs[entry.index].stdout += chunk
        }
    }

    /// Waits for `pid` until the deadline, then kills its group and waits for it.
    private func reap(_ pid: Int32, deadline: Int64, timedOut: inout Bool) -> TerminationStatus? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { return TerminationStatus(waitStatus: status) }
            if rc < 0 && errno != EINTR { return nil }
            if Clock.monotonicNanoseconds() >= deadline { break }
            usleep(5000)
        }
        timedOut = true
        Signals.sendToGroup(pid, SIGKILL)
        Signals.send(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return TerminationStatus(waitStatus: status)
    }
}
