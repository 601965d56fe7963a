import FomCore
import FomProtocol
import SystemKit

/// The CLI's end of `watch`: the rows first, then `WatchEvent`s as the daemon sends them.
/// The rows are kept up to date here, so `list --watch` and `monit` only draw them.
/// The daemon sends a sample each second to every watcher, so a stream silent for the client's
/// timeout is a daemon that stopped or is stuck: the reader gives up as a request would.
final class WatchStream {
    let client: Client
    private var buffer: [UInt8] = []
    private(set) var rows: [InstanceInfo] = []
    /// When each row's uptime was true (it grows by itself between events).
    private var receivedAt: [Int: Int64] = [:]
    /// How long the stream may stay silent, and until when it may now.
    let silenceLimit: Duration
    static let minimumSilence: Duration = .seconds(3)
    private var silence: Client.Deadline

    var fd: Int32 { client.fd }

    /// Sends `watch` and reads the first answer; throws when the daemon refuses or does not
    /// answer within the client's timeout.
    /// `silenceLimit`: how long the stream may stay silent once it runs (default: the client's
    /// timeout); the first answer has the client's timeout.
    init(_ client: Client, silenceLimit: Duration? = nil) throws {
        self.client = client
        let request = Request(.watch)
        // At least three missed samples: a busy machine may delay one, and a stream is not given
        // up for that.
        self.silenceLimit = max(silenceLimit ?? client.limit(for: request), Self.minimumSilence)
        silence = Client.Deadline(client.limit(for: request))
        try client.send(request, by: silence)
        while true {
            if let line = nextLine() {
                let answer = try parse(line)
                guard answer["ok"]?.boolValue == true else {
                    throw Failure(answer["error"]?.stringValue ?? "the daemon refused to be watched")
                }
                let t = Clock.monotonicNanoseconds()
                rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
                for row in rows { receivedAt[row.id] = t }
                silence = Client.Deadline(self.silenceLimit)
                return
            }
            try client.waitForAnswer(by: silence)
            guard try fill() else { throw Failure("the daemon closed the connection without an answer") }
        }
    }

    /// Milliseconds a caller may wait for the stream before `checkSilence` gives up on it.
    var silenceLeftMs: Int32 { silence.leftMs ?? 0 }

    /// Throws once the stream has been silent for its whole limit.
    func checkSilence() throws {
        guard silence.leftMs == nil else { return }
        throw Client.noAnswer(
            client.runtime,
            "sent nothing on the watch stream for \(DurationText.format(silenceLimit)) (it sends a sample each second)")
    }

    /// Waits for what the daemon sends next (at most until the silence limit) and applies it;
    /// false once the daemon closed the stream.
    func waitAndReceive() throws -> Bool {
        if !Sockets.waitReadable(fd, timeoutMs: silenceLeftMs) { try checkSilence() }
        return try receive()
    }

    /// Reads what has arrived (call when the descriptor is readable) and applies it; false once
    /// the daemon closed the stream (it stopped, or this reader fell too far behind).
    func receive() throws -> Bool {
        let open = try fill()
        let t = Clock.monotonicNanoseconds()
        while let line = nextLine() {
            guard let event = WatchEvent(json: try parse(line)) else { continue }
            switch event {
            case .change(let info):
                if let i = rows.firstIndex(where: { $0.id == info.id }) { rows[i] = info } else { rows.append(info) }
                receivedAt[info.id] = t
            case .sample(let samples):
                // A sample names every instance the daemon runs: one it leaves out was removed
                // by a reload (the stream has no event of its own for that).
                let present = Set(samples.map(\.id))
                rows.removeAll { !present.contains($0.id) }
                for sample in samples {
                    guard let i = rows.firstIndex(where: { $0.id == sample.id }) else { continue }
                    rows[i].cpuPercent = sample.cpuPercent
                    rows[i].memoryBytes = sample.memoryBytes
                    if let seconds = sample.cpuSeconds { rows[i].cpuSeconds = seconds }
                }
            case .removed(let id):
                rows.removeAll { $0.id == id }
                receivedAt[id] = nil
            }
        }
        return open
    }

    /// The rows with uptimes as of now.
    func currentRows() -> [InstanceInfo] {
        let t = Clock.monotonicNanoseconds()
        return rows.map { row in
            var row = row
            if let uptime = row.uptimeMs, let at = receivedAt[row.id] {
                row.uptimeMs = uptime + Int((t - at) / 1_000_000)
            }
            return row
        }
    }

    private func fill() throws -> Bool {
        do {
            guard let chunk = try FileDescriptor.read(client.fd, max: 65536) else { return true }
            if chunk.isEmpty { return false }
            silence = Client.Deadline(silenceLimit)
            buffer.append(contentsOf: chunk)
            return true
        } catch {
            return false
        }
    }

    private func nextLine() -> [UInt8]? {
        guard let newline = buffer.firstIndex(of: 10) else { return nil }
        let line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        return line
    }

    private func parse(_ line: [UInt8]) throws -> JSONValue {
        do {
            return try JSONValue(parsing: line)
        } catch {
            throw Failure("the daemon's answer is not JSON: \(error)")
        }
    }
}
