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
            setSpool(instance, isErr, newSpool())
        }
        instance.stdoutFD = child.stdout
        instance.stderrFD = child.stderr
    }

    /// A spool and a journal entry for a new stream; nil (read without one) when either cannot
    /// be had, say with no descriptors left.
    func newSpool() -> StreamSpool? {
        guard let journal, let fd = try? Spool.create(named: "fom-spool") else { return nil }
        guard let slot = journal.allocate() else {
            FileDescriptor.close(fd)
            return nil
        }
        return StreamSpool(fd: fd, slot: slot, end: 0)
    }

    func spool(_ instance: ManagedInstance, _ isErr: Bool) -> StreamSpool? {
        isErr ? instance.errSpool : instance.outSpool
    }

    func setSpool(_ instance: ManagedInstance, _ isErr: Bool, _ spool: StreamSpool?) {
        if isErr { instance.errSpool = spool } else { instance.outSpool = spool }
    }

    /// Takes at most one buffer per wake-up, so a flooding child cannot starve the others.
    func readPipe(_ fd: Int32) {
        guard let (instance, isErr) = pipes[fd] else { return }
        switch take(fd, instance, isErr) {
        case .data, .wouldBlock:
            break
        case .endOfFile, .failed:
            closePipe(fd)
        }
    }

    /// One buffer from a pipe into its log: spliced into the spool and written from there, or
    /// read and written straight (no spool).
    func take(_ fd: Int32, _ instance: ManagedInstance, _ isErr: Bool) -> FileDescriptor.ReadResult {
        let sink = isErr ? instance.err : instance.out
        guard var spool = spool(instance, isErr), let journal else {
            let result = FileDescriptor.read(fd, into: readBuffer)
            if case .data(let n) = result { sink.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])) }
            return result
        }
        let result = Spool.take(from: fd, into: spool.fd, end: &spool.end, max: StreamSpool.takeAtOnce)
        switch result {
        case .data:
            journal.countDown(&journal.crashAfterTake)
            sink.drain(&spool, journal: journal, buffer: readBuffer, final: false)
            setSpool(instance, isErr, spool)
        case .failed:
            // The spool takes no more (a file-size limit, no memory left): the stream goes on
            // without one rather than losing its pipe.
            retireSpool(instance, isErr, pipe: fd)
            return take(fd, instance, isErr)
        case .wouldBlock, .endOfFile:
            break
        }
        return result
    }

    /// Ends a stream's spool while its pipe goes on: what the spool holds is written (its half
    /// line kept in memory), and the holder keeps the pipe alone under the same key.
    func retireSpool(_ instance: ManagedInstance, _ isErr: Bool, pipe: Int32) {
        guard var spool = spool(instance, isErr), let journal else { return }
        let sink = isErr ? instance.err : instance.out
        sink.drain(&spool, journal: journal, buffer: readBuffer, final: false)
        sink.partial = Spool.bytes(spool.fd, from: journal.processed(spool.slot), to: spool.end)
        setSpool(instance, isErr, nil)
        if let key = handover.heldKeys[pipe] { tellHolder("add \(key)", fds: [pipe]) }
        FileDescriptor.close(spool.fd)
        journal.release(spool.slot)
        log(
            instance.name,
            "its \(isErr ? "stderr" : "stdout") goes on without a spool (the spool took no more bytes): a crash of the daemon could lose one read of it"
        )
    }

    /// Takes what is left in an exited process's pipes before its exit is told.
    func drainPipes(of instance: ManagedInstance) {
        for fd in [instance.stdoutFD, instance.stderrFD] where fd >= 0 {
            guard let (_, isErr) = pipes[fd] else { continue }
            var rounds = 0
            while rounds < 64, case .data = take(fd, instance, isErr) { rounds += 1 }
        }
    }

    func closePipes(of instance: ManagedInstance) {
        for fd in [instance.stdoutFD, instance.stderrFD] where fd >= 0 { closePipe(fd) }
    }

    func closePipe(_ fd: Int32) {
        guard let (instance, isErr) = pipes.removeValue(forKey: fd) else { return }
        let sink = isErr ? instance.err : instance.out
        if var spool = spool(instance, isErr), let journal {
            sink.drain(&spool, journal: journal, buffer: readBuffer, final: true)
            FileDescriptor.close(spool.fd)
            journal.release(spool.slot)
            setSpool(instance, isErr, nil)
        } else {
            sink.flushPartial()
        }
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
