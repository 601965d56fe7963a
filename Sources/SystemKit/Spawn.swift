import CSystem
import Glibc

/// A child started by `Spawn.start`: its pid and the parent's ends of its stdout/stderr pipes
/// (-1 when its output went to a file).
public struct SpawnedChild: Sendable {
    public let pid: Int32
    public let stdout: Int32
    public let stderr: Int32
}

/// How a process ended, decoded from a wait status.
public enum TerminationStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus: Int32) {
        if csys_wifsignaled(waitStatus) != 0 {
            self = .signaled(csys_wtermsig(waitStatus))
        } else {
            self = .exited(csys_wexitstatus(waitStatus))
        }
    }
}

/// Spawning done carefully (after swift-subprocess): a new session, stdin from /dev/null,
/// stdout/stderr to fresh pipes, every other descriptor closed, signal mask and dispositions reset.
/// A child with pipes (an instance) goes through `startLow`; one whose output goes to a file
/// descriptor (the background daemon) through posix_spawn.
public enum Spawn {
    /// `executable` must be a path (resolved by the caller); `environment` is `KEY=VALUE` lines.
    public static func start(
        executable: String, arguments: [String], environment: [String], directory: String,
        newSession: Bool = true, outputDescriptor: Int32? = nil
    ) throws(SystemError) -> SpawnedChild {
        let captureOutput = outputDescriptor == nil
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        if captureOutput {
            // O_CLOEXEC so that no other child inherits them; dup2 below clears it on 1 and 2.
            guard csys_pipe2(&outPipe, O_CLOEXEC) == 0 else { throw SystemError("pipe2") }
            guard csys_pipe2(&errPipe, O_CLOEXEC) == 0 else {
                let e = SystemError("pipe2")
                FileDescriptor.close(outPipe[0]); FileDescriptor.close(outPipe[1])
                throw e
            }
        }
        defer {
            // The child's ends belong to the child now.
            FileDescriptor.close(outPipe[1])
            FileDescriptor.close(errPipe[1])
        }

        if captureOutput { return try startLow(executable, arguments, environment, directory, newSession, outPipe, errPipe) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }

        // Order matters: chdir first, then close the parent's ends (one could sit on 0-2), then
        // put /dev/null on 0 and dup2 the child's ends onto 1 and 2, then close everything else.
        _ = directory.withCString { csys_spawn_addchdir(&actions, $0) }
        if captureOutput {
            posix_spawn_file_actions_addclose(&actions, outPipe[0])
            posix_spawn_file_actions_addclose(&actions, errPipe[0])
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        } else if let outputDescriptor {
            // A background daemon's own output, opened by the caller (without following links):
            // shared by stdout and stderr.
            posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
            posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 2)
        }
        guard csys_spawn_addclosefrom(&actions, 3) == 0 else {
            throw SystemError("posix_spawn_file_actions_addclosefrom_np")
        }

        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attr, &emptyMask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= csys_spawn_setsid_flag() }
        posix_spawnattr_setflags(&attr, flags)

        var pid: pid_t = 0
        let rc = withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                posix_spawn(&pid, executable, &actions, &attr, argv, envp)
            }
        }
        if rc != 0 {
            FileDescriptor.close(outPipe[0])
            FileDescriptor.close(errPipe[0])
            throw SystemError("cannot execute \(executable)", errno: rc)
        }
        return SpawnedChild(pid: pid, stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Three low descriptors held for `startLow` from the first spawn on (the daemon reserves them
    /// at start, while it has few descriptors): stdin's /dev/null, and the places where a child's
    /// stdout and stderr ends wait during a spawn.
    static let lowSlots: [Int32] = [
        open("/dev/null", O_RDONLY | O_CLOEXEC), open("/dev/null", O_WRONLY | O_CLOEXEC),
        open("/dev/null", O_WRONLY | O_CLOEXEC),
    ]

    /// Takes the low descriptors before the descriptors of any instance exist.
    public static func reserveLowSlots() { _ = lowSlots }

    /// The instance spawn: csys_spawn_low (see csystem.h) does what the posix_spawn path does
    /// (new session, /dev/null on 0, the pipes on 1 and 2, nothing else, signals reset), in a
    /// time that does not grow with the daemon's descriptors. The caller's defer closes the
    /// child's ends; the slots let go of them here.
    private static func startLow(
        _ executable: String, _ arguments: [String], _ environment: [String], _ directory: String,
        _ newSession: Bool, _ outPipe: [Int32], _ errPipe: [Int32]
    ) throws(SystemError) -> SpawnedChild {
        let slots = lowSlots
        guard slots.allSatisfy({ $0 >= 0 }) else { throw SystemError("open /dev/null") }
        func place(_ fd: Int32, _ slot: Int32) -> Bool {
            // dup2 clears FD_CLOEXEC on the slot: set again, so that no other child inherits it.
            dup2(fd, slot) == slot && fcntl(slot, F_SETFD, FD_CLOEXEC) == 0
        }
        defer {
            _ = place(slots[0], slots[1])
            _ = place(slots[0], slots[2])
        }
        guard place(outPipe[1], slots[1]), place(errPipe[1], slots[2]) else {
            let e = SystemError("dup2")
            FileDescriptor.close(outPipe[0])
            FileDescriptor.close(errPipe[0])
            throw e
        }
        let pid = withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                slots.withUnsafeBufferPointer { slotPointer in
                    csys_spawn_low(
                        executable, UnsafeMutablePointer(mutating: argv), UnsafeMutablePointer(mutating: envp),
                        directory, slotPointer.baseAddress, newSession ? 1 : 0)
                }
            }
        }
        if pid < 0 {
            FileDescriptor.close(outPipe[0])
            FileDescriptor.close(errPipe[0])
            throw SystemError("cannot execute \(executable)", errno: -pid)
        }
        return SpawnedChild(pid: pid, stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Finds an executable: a path with a slash is taken relative to `base`; a bare name is
    /// looked up in `searchPath` (the child's PATH, not ours).
    public static func resolveExecutable(_ name: String, base: String, searchPath: String?) -> String? {
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : base + "/" + name
            return Files.isExecutable(path) ? path : nil
        }
        let dirs = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for dir in dirs where !dir.isEmpty {
            let candidate = String(dir) + "/" + name
            if Files.isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// A NULL-terminated array of C strings for argv and envp.
    private static func withCStringArray<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Spawn {
    /// Runs a program to its end (argv, no shell) and returns how it ended with its stdout and
    /// stderr together; for short tools such as `systemctl`.
    public static func run(
        executable: String, arguments: [String], environment: [String], directory: String = "/"
    ) throws(SystemError) -> (status: TerminationStatus, output: String) {
        let child = try start(
            executable: executable, arguments: arguments, environment: environment, directory: directory,
            newSession: false)
        var output: [UInt8] = []
        var open = [child.stdout, child.stderr]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(p.fd, $0.baseAddress, 65536) }
                if n > 0 {
                    if output.count < 1 << 20 { output.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    Glibc.close(p.fd)
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        return (TerminationStatus(waitStatus: status), String(decoding: output, as: UTF8.self))
    }
}
