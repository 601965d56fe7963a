/// How `fom logs` reads lines that fom wrote with `timestamps` on: each starts with
/// `2026-11-27T00:01:02.123Z ` (UTC, fixed width), so times compare as bytes.
public enum LogTimestamp {
    /// The length of the time, without the space after it.
    public static let length = 24

    /// The time at the start of `line`, or nil when the line does not start with one.
    public static func time(of line: [UInt8]) -> ArraySlice<UInt8>? {
        guard line.count > length, line[length] == UInt8(ascii: " ") else { return nil }
        // YYYY-MM-DDTHH:MM:SS.mmmZ
        for (i, byte) in line[0..<length].enumerated() {
            let ok: Bool
            switch i {
            case 4, 7: ok = byte == UInt8(ascii: "-")
            case 10: ok = byte == UInt8(ascii: "T")
            case 13, 16: ok = byte == UInt8(ascii: ":")
            case 19: ok = byte == UInt8(ascii: ".")
            case 23: ok = byte == UInt8(ascii: "Z")
            default: ok = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            }
            if !ok { return nil }
        }
        return line[0..<length]
    }
}

/// One line of one log file, with the time it was written (the time of the line before it, for
/// a line fom wrote without one, such as a piece of a line longer than 1 MiB).
public struct LogLine: Sendable, Equatable {
    public var source: Int
    public var bytes: [UInt8]
    public var time: ArraySlice<UInt8>?

    public init(source: Int, bytes: [UInt8], time: ArraySlice<UInt8>?) {
        self.source = source
        self.bytes = bytes
        self.time = time
    }
}

/// stdout, stderr and fom's own events of one or more instances as one stream, in the order
/// they were written: each file is in order already, so this is a merge, not a sort.
public enum LogMerge {
    /// The lines of every source, each source's order kept; by time across sources, and at equal
    /// times (or with no times at all) the earlier source first.
    public static func merge(_ sources: [[[UInt8]]]) -> [LogLine] {
        var timed: [[LogLine]] = []
        for (index, lines) in sources.enumerated() {
            var last: ArraySlice<UInt8>?
            timed.append(
                lines.map { bytes in
                    if let time = LogTimestamp.time(of: bytes) { last = time }
                    return LogLine(source: index, bytes: bytes, time: last)
                })
        }
        var heads = Array(repeating: 0, count: timed.count)
        var result: [LogLine] = []
        result.reserveCapacity(timed.reduce(0) { $0 + $1.count })
        while true {
            var best: Int?
            for s in timed.indices where heads[s] < timed[s].count {
                guard let b = best else {
                    best = s
                    continue
                }
                if earlier(timed[s][heads[s]].time, than: timed[b][heads[b]].time) { best = s }
            }
            guard let b = best else { return result }
            result.append(timed[b][heads[b]])
            heads[b] += 1
        }
    }

    /// No time sorts first (it came before the first timed line of its file).
    static func earlier(_ a: ArraySlice<UInt8>?, than b: ArraySlice<UInt8>?) -> Bool {
        switch (a, b) {
        case (nil, nil), (.some, nil): return false
        case (nil, .some): return true
        case (let a?, let b?): return a.lexicographicallyPrecedes(b)
        }
    }
}

/// `--since` and `--grep` of `fom logs`.
public struct LogFilter: Sendable {
    /// Lines written at or after this time (`LogTimestamp` form); a line without a time fails.
    public var since: [UInt8]?
    /// A plain substring; case-insensitive unless it has an upper-case letter (journalctl's
    /// "smart case").
    public var grep: String?

    public init(since: [UInt8]? = nil, grep: String? = nil) {
        self.since = since
        self.grep = grep
    }

    public var isEmpty: Bool { since == nil && grep == nil }

    public func matches(_ line: LogLine) -> Bool {
        if let since {
            guard let time = line.time, !time.lexicographicallyPrecedes(since) else { return false }
        }
        if let grep, !grep.isEmpty {
            let text = String(decoding: line.bytes, as: UTF8.self)
            let smartCase = grep.contains { $0.isUppercase }
            if smartCase ? !text.contains(grep) : !text.lowercased().contains(grep) { return false }
        }
        return true
    }
}
