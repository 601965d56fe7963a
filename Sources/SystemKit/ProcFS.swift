import Glibc

/// What /proc tells about processes: environment at exec, start time, sessions, listening ports.
public enum ProcFS {
    public struct Stat: Sendable {
        public let state: Character
        public let ppid: Int32
        public let pgrp: Int32
        public let session: Int32
        /// Field 22: start time in clock ticks since boot; tells a reused pid apart.
        public let startTime: UInt64
        public let rssPages: Int
        /// Fields 14 and 15: user plus system CPU time, in clock ticks.
        public let cpuTicks: UInt64

        /// Running or sleeping: not a zombie waiting to be reaped, not dead.
        public var isLive: Bool { state != "Z" && state != "X" }
    }

    /// This process's pid.
    public static var ownPid: Int32 { getpid() }

    /// Whether `pid` is a live process (not a zombie).
    public static func isLive(_ pid: Int32) -> Bool { stat(pid)?.isLive ?? false }

    /// Whether `pid` still is the process that was recorded with this start time (a reused pid
    /// has another), and is live.
    public static func isSameRun(_ pid: Int32, startTime: UInt64) -> Bool {
        guard let st = stat(pid) else { return false }
        return st.startTime == startTime && st.isLive
    }

    /// This boot's id (/proc/sys/kernel/random/boot_id): CLOCK_MONOTONIC instants of one boot
    /// compare across processes, and only within it.
    public static func bootID() -> String? {
        guard let text = Files.readText("/proc/sys/kernel/random/boot_id") else { return nil }
        let id = text.filter { !$0.isWhitespace }
        return id.isEmpty ? nil : id
    }

    public static func allPids() -> [Int32] {
        Files.list("/proc").compactMap { Int32($0) }
    }

    public static func stat(_ pid: Int32) -> Stat? {
        // One read into a small stack buffer, parsed as bytes: `list` and the restart path read
        // this file for every process of every instance, and splitting a String per read cost
        // more than the read itself.
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { Glibc.close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer -> Stat? in
            var n = 0
            while true {
                n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                break
            }
            guard n > 0 else { return nil }
            return parseStat(UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// The fields of a /proc/PID/stat line. The command name may hold spaces and parentheses,
    /// so fields are counted from after the last `)`: state is field 3.
    public static func parseStat(_ bytes: [UInt8]) -> Stat? {
        bytes.withUnsafeBufferPointer { parseStat($0) }
    }

    static func parseStat(_ bytes: UnsafeBufferPointer<UInt8>) -> Stat? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Field k + 3 is counted as k (state is 0); only the ones used are kept.
        var ppid: UInt64 = 0, pgrp: UInt64 = 0, session: UInt64 = 0, user: UInt64 = 0, system: UInt64 = 0
        var start: UInt64 = 0, rss: UInt64 = 0
        var state: UInt8 = 0
        var field = -1
        var i = close + 1
        while i < bytes.count && field < 21 {
            while i < bytes.count && bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < bytes.count, bytes[i] != UInt8(ascii: "\n") else { break }
            field += 1
            if field == 0 {
                state = bytes[i]
                while i < bytes.count && bytes[i] != UInt8(ascii: " ") { i += 1 }
                continue
            }
            var value: UInt64 = 0
            var negative = false
            if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                value = value &* 10 &+ UInt64(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            while i < bytes.count && bytes[i] != UInt8(ascii: " ") && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            if negative { value = 0 }
            switch field {
            case 1: ppid = value
            case 2: pgrp = value
            case 3: session = value
            case 11: user = value
            case 12: system = value
            case 19: start = value
            case 21: rss = value
            default: break
            }
        }
        guard field >= 21, state != 0 else { return nil }
        return Stat(
            state: Character(Unicode.Scalar(state)), ppid: Int32(truncatingIfNeeded: ppid),
            pgrp: Int32(truncatingIfNeeded: pgrp), session: Int32(truncatingIfNeeded: session),
            startTime: start, rssPages: Int(truncatingIfNeeded: rss), cpuTicks: user &+ system)
    }

    /// The environment the process was executed with; nil when unreadable or gone.
    public static func environment(_ pid: Int32) -> [String]? {
        guard let bytes = Files.readBytes("/proc/\(pid)/environ") else { return nil }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The same as `NAME -> value` (a line without `=` is left out; a later duplicate wins).
    public static func environmentVariables(_ pid: Int32) -> [String: String]? {
        guard let lines = environment(pid) else { return nil }
        var result: [String: String] = [:]
        for line in lines {
            guard let eq = line.firstIndex(of: "=") else { continue }
            result[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return result
    }

    /// A process's arguments as it was executed (empty when gone or unreadable).
    public static func arguments(_ pid: Int32) -> [String] {
        guard let bytes = Files.readBytes("/proc/\(pid)/cmdline", limit: 1 << 16) else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// The executable a process runs, when it can be seen.
    public static func executable(_ pid: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        buffer[n] = 0
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A process's command line for a one-line message: arguments joined by spaces, control
    /// characters escaped (a `python3 -c` script with newlines stays on one line), at most
    /// `limit` characters.
    public static func commandLine(_ pid: Int32, limit: Int = 120) -> String {
        guard let bytes = Files.readBytes("/proc/\(pid)/cmdline", limit: 4096), !bytes.isEmpty else {
            return Files.readText("/proc/\(pid)/comm").map { oneLine(String($0.filter { $0 != "\n" }), limit: limit) }
                ?? "?"
        }
        let joined = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        return oneLine(joined, limit: limit)
    }

    /// `text` with control characters written as `\n`, `\t` or `\xNN`, cut to `limit` characters.
    public static func oneLine(_ text: String, limit: Int) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            let piece: String
            switch scalar {
            case "\n": piece = "\\n"
            case "\r": piece = "\\r"
            case "\t": piece = "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    piece = "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    piece = String(scalar)
                }
            }
            if count + piece.count > limit {
                out += "..."
                break
            }
            out += piece
            count += piece.count
        }
        return out
    }

    /// Every descendant of `pid`: its children, theirs, and so on, from the `children` file of
    /// each thread; nil when the kernel offers no such file (built without CONFIG_PROC_CHILDREN).
    public static func descendants(of pid: Int32) -> [Int32]? {
        guard var queue = children(of: pid) else { return nil }
        var result = queue
        while let parent = queue.popLast() {
            let below = children(of: parent) ?? []
            result += below
            queue += below
        }
        return result
    }

    /// The children of `pid` (those of each of its threads); nil when there is no such file.
    public static func children(of pid: Int32) -> [Int32]? {
        var result: [Int32] = []
        var any = false
        for task in Files.list("/proc/\(pid)/task") {
            guard let bytes = Files.readBytes("/proc/\(pid)/task/\(task)/children") else { continue }
            any = true
            // Read as digits, not as text split into words: the daemon's own list holds every
            // main process (1,000 of them), and is read on every exit.
            var value: Int32 = 0
            var digits = false
            for byte in bytes {
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    value = value &* 10 &+ Int32(byte - UInt8(ascii: "0"))
                    digits = true
                } else if digits {
                    result.append(value)
                    value = 0
                    digits = false
                }
            }
            if digits { result.append(value) }
        }
        return any ? result : nil
    }

    /// Live (non-zombie) processes whose environment holds exactly `marker` (`KEY=VALUE`), or
    /// any `KEY=VALUE` starting with `marker` when `prefix` is set. Our own pid is skipped.
    /// `among` limits the search to these pids (default: every process).
    public static func processes(
        withMarker marker: String, prefix: Bool = false, among pids: [Int32]? = nil
    ) -> [(pid: Int32, marker: String)] {
        let needle = Array(marker.utf8)
        let me = getpid()
        var found: [(Int32, String)] = []
        for pid in pids ?? allPids() where pid != me {
            guard let env = Files.readBytes("/proc/\(pid)/environ") else { continue }
            guard let hit = findEntry(env, needle, prefix: prefix) else { continue }
            if let st = stat(pid), !st.isLive { continue }
            found.append((pid, hit))
        }
        return found
    }

    private static func findEntry(_ env: [UInt8], _ needle: [UInt8], prefix: Bool) -> String? {
        var start = 0
        while start < env.count {
            var end = start
            while end < env.count && env[end] != 0 { end += 1 }
            let length = end - start
            if length >= needle.count && (prefix || length == needle.count) {
                var match = true
                for i in 0..<needle.count where env[start + i] != needle[i] { match = false; break }
                if match { return String(decoding: env[start..<end], as: UTF8.self) }
            }
            start = end + 1
        }
        return nil
    }

    /// The pid and command line of the process listening on a TCP port, when it can be seen.
    public static func listener(onPort port: Int) -> (pid: Int32, command: String)? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = Files.readText(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let cols = line.split(separator: " ")
                // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; inode is column 10.
                guard cols.count > 9, cols[3] == "0A",
                    let colon = cols[1].lastIndex(of: ":"),
                    Int(cols[1][cols[1].index(after: colon)...], radix: 16) == port
                else { continue }
                inodes.insert("socket:[\(cols[9])]")
            }
        }
        if inodes.isEmpty { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        for pid in allPids() {
            for fd in Files.list("/proc/\(pid)/fd") {
                let n = readlink("/proc/\(pid)/fd/\(fd)", &buffer, buffer.count - 1)
                guard n > 0 else { continue }
                buffer[n] = 0
                if inodes.contains(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }) {
                    return (pid, commandLine(pid))
                }
            }
        }
        return nil
    }

    public static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on Linux).
    public static let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    /// Resident memory of this process, in bytes.
    public static func ownRSS() -> Int { (stat(getpid())?.rssPages ?? 0) * pageSize }
}
