import FomCore
import FomProtocol
import SystemKit

/// The CLI's end of `watch`: the rows first, then `WatchEvent`s as the daemon sends them.
/// The rows are kept up to date here, so `list --watch` and `monit` only draw them.
final class WatchStream {
    let client: Client
    private var buffer: [UInt8] = []
    private(set) var rows: [InstanceInfo] = []
    /// When each row's uptime was true (it grows by itself between events).
    private var receivedAt: [Int: Int64] = [:]

    var fd: Int32 { client.fd }

    /// Sends `watch` and reads the first answer; throws when the daemon refuses.
    init(_ client: Client) throws {
        self.client = client
        try FileDescriptor.writeAll(client.fd, Array((Request(.watch).json.serialized() + "\n").utf8))
        while true {
            if let line = nextLine() {
                let answer = try parse(line)
                guard answer["ok"]?.boolValue == true else {
                    throw Failure(answer["error"]?.stringValue ?? "the daemon refused to be watched")
                }
                let t = Clock.monotonicNanoseconds()
                rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
                for row in rows { receivedAt[row.id] = t }
                return
            }
            guard try fill() else { throw Failure("the daemon closed the connection without an answer") }
        }
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
