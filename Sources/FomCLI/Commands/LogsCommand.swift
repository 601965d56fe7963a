import FomCore
import FomProtocol
import SystemKit

/// `fom logs` and `fom flush`. The CLI reads the files itself: a slow reader can never slow
/// the daemon or an instance, and logs can be read with no daemon at all. `-f` watches the
/// log directory with inotify and follows files across rotations and restarts. With
/// `timestamps` on, stdout, stderr and fom's own events come out as one stream in time order.
enum LogsCommand {
    struct Source {
        let label: String
        let path: String
        let isErr: Bool
    }

    static let maxLines = 1_000_000

    static func run(_ args: ParsedArguments) throws -> Int32 {
        if args.positionals.count > 1 { throw UsageError("fom logs: name at most one instance") }
        if args.has("--out") && args.has("--err") {
            throw UsageError("fom logs: --out and --err exclude each other; give neither for both")
        }
        var lines = 20
        if let text = args.options["--lines"] {
            guard let n = Int(text), (0...Self.maxLines).contains(n) else {
                throw UsageError("fom logs: -n takes a number of lines from 0 to \(Self.maxLines), not \"\(text)\"")
            }
            lines = n
        }
        var filter = LogFilter(grep: args.options["--grep"])
        if let text = args.options["--since"] {
            let cutoff: Int64
            do {
                cutoff = try LogSince.cutoff(text, nowMilliseconds: Clock.wallMilliseconds())
            } catch {
                throw UsageError("fom logs: --since takes \(LogSince.forms), not \"\(text)\" (\(error.message))")
            }
            filter.since = Array(Timestamp.iso8601(epochMilliseconds: cutoff).utf8)
        }
        let context = try Context.load(args)
        let sources = try selectSources(context, target: args.positionals.first, args: args)
        if !sources.contains(where: { Files.exists($0.path) }) {
            Output.err("fom logs: nothing logged yet in \(context.config.logs.dir)")
        }
        let width = sources.map(\.label.count).max() ?? 0
        var printers = sources.map { LinePrinter(source: $0, width: width) }
        let tails = printers.indices.map { printers[$0].readAll() }
        if filter.since != nil {
            for (i, tail) in tails.enumerated() where tail.first.map({ LogTimestamp.time(of: $0) == nil }) == true {
                Output.err(
                    "fom logs: \(printers[i].source.path) has no timestamps (\"logs\": {\"timestamps\": true} turns them on), so --since skips it"
                )
            }
        }
        printTail(tails, printers: printers, lines: lines, filter: filter)
        guard args.has("--follow") else { return 0 }
        return try follow(&printers, directory: context.config.logs.dir, filter: filter)
    }

    /// The last `lines` lines: of the merged stream when every file has timestamps, else of each
    /// file in turn (there is no time to merge by).
    static func printTail(_ tails: [[[UInt8]]], printers: [LinePrinter], lines: Int, filter: LogFilter) {
        guard lines > 0 else { return }
        let timed = tails.allSatisfy { $0.first.map { LogTimestamp.time(of: $0) != nil } ?? true }
        if timed {
            emit(LogMerge.merge(tails).filter(filter.matches).suffix(lines), printers: printers)
        } else {
            for (i, tail) in tails.enumerated() {
                emit(LogMerge.merge([tail]).filter(filter.matches).suffix(lines), printers: printers, source: i)
            }
        }
    }

    /// Prints lines with the name of their source in front, in one write.
    static func emit(_ lines: some Sequence<LogLine>, printers: [LinePrinter], source: Int? = nil) {
        var out: [UInt8] = []
        let prefixes = printers.map { Array($0.prefix.utf8) }
        for line in lines {
            out.append(contentsOf: prefixes[source ?? line.source])
            out.append(contentsOf: line.bytes)
            out.append(10)
        }
        if !out.isEmpty { try? FileDescriptor.writeAll(1, out) }
    }

    static func selectSources(_ context: Context, target: String?, args: ParsedArguments) throws -> [Source] {
        let dir = context.config.logs.dir
        var instances = context.config.instances
        if let target, context.configError != nil {
            // The file does not parse: take the name as given, in the default log directory.
            instances = [InstanceConfig(name: target, configDirectory: context.config.directory)]
        } else if let target {
            instances = [try context.instance(target).config]
        }
        var sources: [Source] = []
        for instance in instances {
            if !args.has("--err") {
                sources.append(Source(label: instance.name, path: "\(dir)/\(instance.name).out.log", isErr: false))
            }
            if !args.has("--out") {
                sources.append(Source(label: instance.name, path: "\(dir)/\(instance.name).err.log", isErr: true))
            }
        }
        if target == nil && !args.has("--out") && !args.has("--err") {
            sources.append(Source(label: "fom", path: "\(dir)/fom.log", isErr: false))
        }
        return sources
    }

    /// Reads one file's complete lines. While following it keeps the file open, so that after a
    /// rotation it first reads the old file to its end, then every archive that came after it,
    /// then the new file: no line is skipped.
    struct LinePrinter {
        let source: Source
        let width: Int
        var file: ReadableFile?
        var partial: [UInt8] = []

        init(source: Source, width: Int) {
            self.source = source
            self.width = width
        }

        var prefix: String {
            let name = source.label + String(repeating: " ", count: max(0, width - source.label.count))
            let code = source.label == "fom" ? "35" : (source.isErr ? "31" : "36")
            return Output.paint(name + " |", code) + " "
        }

        /// Every line of the file, which stays open at its end for following.
        mutating func readAll() -> [[UInt8]] {
            file = ReadableFile(path: source.path)
            guard let file else { return [] }
            var lines = file.readToEnd().split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
            if lines.last?.isEmpty == true { lines.removeLast() }
            return lines
        }

        /// The lines appended since the last look, following rotations and flushes.
        mutating func catchUp() -> [[UInt8]] {
            guard let current = file else {
                // The file did not exist yet: everything in it is new.
                file = ReadableFile(path: source.path)
                return complete(file?.readToEnd() ?? [])
            }
            var lines = complete(current.readToEnd())
            guard let inode = Files.inode(of: source.path) else { return lines }
            if inode != current.inode {
                // Rotated: our file is now NAME.log.k; NAME.log.(k-1) ... .1 came after it.
                var k = 1
                while let ino = Files.inode(of: "\(source.path).\(k)"), ino != current.inode { k += 1 }
                if Files.inode(of: "\(source.path).\(k)") == current.inode {
                    var j = k - 1
                    while j >= 1 {
                        if let archive = ReadableFile(path: "\(source.path).\(j)") {
                            lines += complete(archive.readToEnd())
                        }
                        j -= 1
                    }
                }
                if !partial.isEmpty { lines.append(partial) }
                partial = []
                file = ReadableFile(path: source.path)
                lines += complete(file?.readToEnd() ?? [])
            } else if current.wasTruncated {
                // Flushed (emptied): start again from its beginning.
                current.rewind()
                partial = []
                lines += complete(current.readToEnd())
            }
            return lines
        }

        /// The complete lines of `bytes`, keeping an unfinished last line for later.
        mutating func complete(_ bytes: [UInt8]) -> [[UInt8]] {
            guard !bytes.isEmpty else { return [] }
            var data = partial + bytes
            partial = []
            guard let last = data.lastIndex(of: 10) else {
                partial = data
                return []
            }
            partial = Array(data[(last + 1)...])
            data = Array(data[...last])
            var lines = data.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
            if lines.last?.isEmpty == true { lines.removeLast() }
            return lines
        }
    }

    /// Wakes on inotify events of the log directory (and at most every 500 ms, in case the
    /// directory was replaced) and prints what the followed files gained, merged by time.
    static func follow(_ printers: inout [LinePrinter], directory: String, filter: LogFilter) throws -> Int32 {
        try? Files.makeDirectories(directory)
        let watcher = try DirectoryWatcher(directory)
        // Only --grep applies to what comes next: --since chose where the tail starts.
        let live = LogFilter(grep: filter.grep)
        while true {
            watcher.wait(timeoutMs: 500)
            let fresh = printers.indices.map { printers[$0].catchUp() }
            emit(LogMerge.merge(fresh).filter(live.matches), printers: printers)
        }
    }

    static func flush(_ args: ParsedArguments) throws -> Int32 {
        if args.positionals.count > 1 { throw UsageError("fom flush: name at most one instance") }
        let context = try Context.load(args)
        if let client = try Client.connect(context) {
            defer { client.close() }
            _ = try client.request(Request(.flush, targets: args.positionals))
        } else {
            let sources = try selectSources(context, target: args.positionals.first, args: args)
            for source in sources {
                Files.truncate(source.path)
                for i in 1...max(context.config.logs.keep, 1) { Files.remove("\(source.path).\(i)") }
            }
        }
        Output.out("flushed \(args.positionals.first.map { "the logs of \($0)" } ?? "every log")")
        return 0
    }
}
