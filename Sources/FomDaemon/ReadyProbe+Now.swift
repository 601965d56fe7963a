import FomCore
import SystemKit

/// The daemon's ready check tried once, now, outside the event loop: what `fom doctor` reports.
public enum ReadyCheckNow {
    public enum Outcome: Sendable, Equatable {
        /// `"ready": false`: nothing to try.
        case none
        /// It answered (the check described: `GET http://127.0.0.1:5151/fiftyone`).
        case answered(String)
        case failed(String, reason: String)
    }

    /// One attempt, the same as the daemon's, bounded by `ReadyProbe.attemptTimeout`.
    public static func run(_ config: InstanceConfig) -> Outcome {
        let kind: ReadyProbe.Kind
        let host = config.address == "0.0.0.0" ? "127.0.0.1" : config.address
        let what: String
        switch config.ready {
        case .none: return .none
        case .tcp(let port):
            kind = .tcp(port: port)
            what = "TCP connection to \(host):\(port)"
        case .http(let path):
            let port = config.port ?? 80
            kind = .http(port: port, path: path)
            what = "GET http://\(host):\(port)\(path)"
        }
        let now = { Instant(nanoseconds: Clock.monotonicNanoseconds()) }
        let probe = ReadyProbe(kind: kind, host: config.address, now: now())
        guard let fd = probe.timerFired(now: now()) else {
            return .failed(what, reason: probe.lastFailure)
        }
        let end = probe.deadline
        do {
            let poll = try EventPoll()
            poll.add(fd, token: 0, writable: true)
            while now() < end {
                let left = Int32(max(1, (end - now()).milliseconds))
                guard !poll.wait(timeoutMs: left).isEmpty else { continue }
                let socket = probe.fd
                let (progress, wantRead) = probe.socketEvent(now: now())
                if progress == .ready { return .answered(what) }
                guard wantRead, probe.fd >= 0 else { return .failed(what, reason: probe.lastFailure) }
                poll.modify(socket, token: 0, readable: true, writable: false)
            }
        } catch {
            return .failed(what, reason: "\(error)")
        }
        probe.close()
        return .failed(what, reason: "no answer within \(ReadyProbe.attemptTimeout.humanReadable)")
    }
}
