import FomCore
import FomRuntime
import Glibc
import SystemKit

/// `fom daemon --hold PATH`: a small process that does nothing but hold duplicates of the read
/// ends of every instance's pipes (as s6-fdholder and systemd's descriptor store do), so that a
/// crash or `kill -9` of the daemon loses neither the pipes nor what is waiting in them. The
/// daemon that owns it sends each pipe as it spawns (`add KEY` + the pipe and its spool over
/// SCM_RIGHTS; `add journal` + the capture journal) and says `drop KEY` when it closes one. A
/// new daemon connects, says `take`, and gets every held descriptor back (`held KEY` + the
/// descriptors, then `end`); it is the owner from then on. `bye` (the daemon's clean exit) ends the holder. Its socket is mode 0600 in the
/// 0700 runtime directory, and only its own uid may connect.
public enum DescriptorHolder {
    public static func run(socketPath: String) -> Int32 {
        // Two pipes per instance: a thousand instances are more than the default soft limit.
        Limits.raiseOpenFilesToHardLimit()
        Signals.ignore(SIGPIPE)
        Signals.ignore(SIGHUP)
        Signals.ignore(SIGINT)
        let listener: Int32
        let poll: EventPoll
        do {
            listener = try PacketSockets.listen(path: socketPath)
            poll = try EventPoll()
        } catch {
            try? FileDescriptor.writeAll(2, "fom daemon --hold: \(error)\n")
            return 1
        }
        poll.add(listener, token: 0)
        var held: [String: [Int32]] = [:]
        var owner: Int32 = -1

        func dropOwner() {
            guard owner >= 0 else { return }
            poll.remove(owner)
            FileDescriptor.close(owner)
            owner = -1
        }

        /// Acts on one record from the owner; false on `bye` (the holder's work is done).
        func handle(_ record: (data: [UInt8], fds: [Int32]), from socket: Int32) -> Bool {
            let text = String(decoding: record.data, as: UTF8.self)
            let (verb, key) = split(text)
            switch verb {
            case "add":
                guard !record.fds.isEmpty else { return true }
                for old in held[key] ?? [] { FileDescriptor.close(old) }
                held[key] = record.fds
            case "drop":
                for fd in held.removeValue(forKey: key) ?? [] { FileDescriptor.close(fd) }
                for fd in record.fds { FileDescriptor.close(fd) }
            case "take":
                for (k, fds) in held {
                    try? Handover.send(socket, fds: fds, data: Array("held \(k)".utf8))
                }
                try? Handover.send(socket, fds: [], data: Array("end".utf8))
            case "bye":
                return false
            default:
                for fd in record.fds { FileDescriptor.close(fd) }
            }
            return true
        }

        while true {
            // With no owner (its daemon crashed), wake now and then to see whether the runtime
            // directory is still there; with an owner, sleep until it speaks.
            for event in poll.wait(timeoutMs: owner < 0 ? 5000 : -1) {
                if event.token == 0 {
                    while case .accepted(let fd) = Sockets.accept(listener) {
                        guard let peer = Sockets.peer(fd), peer.uid == geteuid() || peer.uid == 0 else {
                            FileDescriptor.close(fd)
                            continue
                        }
                        // A new daemon: it is the owner now. What the old one said before it
                        // died (an `add` for a process it had just started) counts first.
                        if owner >= 0 {
                            FileDescriptor.setNonBlocking(owner)
                            while let record = try? Handover.receive(owner), !record.data.isEmpty || !record.fds.isEmpty
                            {
                                if !handle(record, from: owner) {
                                    unlink(socketPath)
                                    return 0
                                }
                            }
                        }
                        dropOwner()
                        Handover.setBlocking(fd)
                        owner = fd
                        poll.add(fd, token: 1)
                    }
                    continue
                }
                guard owner >= 0 else { continue }
                let record: (data: [UInt8], fds: [Int32])
                do {
                    record = try Handover.receive(owner)
                } catch {
                    if error.errno == EAGAIN || error.errno == EINTR { continue }
                    dropOwner()
                    continue
                }
                if record.data.isEmpty && record.fds.isEmpty {
                    // The daemon is gone without a word: keep holding for the next one.
                    dropOwner()
                    continue
                }
                if !handle(record, from: owner) {
                    unlink(socketPath)
                    return 0
                }
            }
            if owner < 0 && !Files.exists(socketPath) { return 0 }
        }
    }

    static func split(_ text: String) -> (String, String) {
        guard let space = text.firstIndex(of: " ") else { return (text, "") }
        return (String(text[..<space]), String(text[text.index(after: space)...]))
    }
}
