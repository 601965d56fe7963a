import FomCore
import FomProtocol
import SystemKit

/// Log capture: each instance's stdout and stderr pipes read into its log files, and fom's own
/// events in fom.log.
extension Supervisor {
    func attachPipes(_ instance: ManagedInstance, _ child: SpawnedChild) {
        closePipes(of: instance)
        for (fd, isErr) in [(child.stdout, false), (child.stderr, true)] {
            FileDescriptor.setNonBlocking(fd)
            // A larger pipe means fewer wake-ups for a chatty child (the kernel caps it for non-root).
            FileDescriptor.setPipeSize(fd, 1 << 20)
            pipes[fd] = (instance, isErr)
            poll.add(fd, token: Token.pipe.with(Int(fd)))
        }
        instance.stdoutFD = child.stdout
        instance.stderrFD = child.stderr
    }

    /// Reads at most one buffer per wake-up, so a flooding child cannot starve the others.
    func readPipe(_ fd: Int32) {
        guard let (instance, isErr) = pipes[fd] else { return }
        switch FileDescriptor.read(fd, into: readBuffer) {
        case .data(let n):
            (isErr ? instance.err : instance.out).append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
        case .wouldBlock:
            break
        case .endOfFile, .failed:
            closePipe(fd)
        }
    }

    /// Reads what is left in an exited process's pipes before its exit is told.
    func drainPipes(of instance: ManagedInstance) {
        for fd in [instance.stdoutFD, instance.stderrFD] where fd >= 0 {
            guard let (_, isErr) = pipes[fd] else { continue }
            let sink = isErr ? instance.err : instance.out
            var rounds = 0
            while rounds < 64, let chunk = try? FileDescriptor.read(fd, max: 65536), !chunk.isEmpty {
                sink.append(chunk[...])
                rounds += 1
            }
        }
    }

    func closePipes(of instance: ManagedInstance) {
        for fd in [instance.stdoutFD, instance.stderrFD] where fd >= 0 { closePipe(fd) }
    }

    func closePipe(_ fd: Int32) {
        guard let (instance, isErr) = pipes.removeValue(forKey: fd) else { return }
        (isErr ? instance.err : instance.out).flushPartial()
        poll.remove(fd)
        FileDescriptor.close(fd)
        releaseHeld(fd)
        if instance.stdoutFD == fd { instance.stdoutFD = -1 }
        if instance.stderrFD == fd { instance.stderrFD = -1 }
    }

    /// One line in fom.log (and on stderr for `fom daemon` in the foreground).
    func log(_ who: String, _ message: String) {
        let line = Timestamp.iso8601(epochMilliseconds: Clock.wallMilliseconds()) + " " + who + ": " + message
        events.appendLine(line)
        if options.echoEvents { try? FileDescriptor.writeAll(2, line + "\n") }
    }
}
