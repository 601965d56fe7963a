import FomCore
import FomDaemon
import FomProtocol
import Glibc
import SystemKit

/// `fom logs` and `fom flush`. The CLI reads the files itself: a slow reader can never slow
/// the daemon or an instance, and logs can be read with no daemon at all. `-f` watches the
/// log directory with inotify and follows files across rotations and restarts.
enum LogsCommand {
    struct Source {
        let label: String
        let path: String
        let isErr: Bool
    }

    static func run(_ args: ParsedArguments) throws -> Int32 {
        if args.positionals.count > 1 { throw UsageError("fom logs: name at most one instance") }
        if args.has("--out") && args.has("--err") { throw UsageError("fom logs: --out and --err exclude each other; give neither for both") }
        var lines = 20
        if let text = args.options["--lines"] {
            guard let n = Int(text), n >= 0 else { throw UsageError("fom logs: -n takes a number of lines, not \"\(text)\"") }
            lines = n
        }
        let context = try Context.load(args)
        let sources = try selectSources(context, target: args.positionals.first, args: args)
        let width = sources.map(\.label.count).max() ?? 0
        var printers = sources.map { LinePrinter(source: $0, width: width) }
        for i in printers.indices { printers[i].printTail(lines) }
        guard args.has("--follow") else { return 0 }
        return try follow(&printers, directory: context.config.logs.dir)
    }

    static func selectSources(_ context: Context, target: String?, args: ParsedArguments) throws -> [Source] {
        let dir = context.config.logs.dir
        var instances = context.config.instances
        if let target { instances = [try context.instance(target).config] }
        var sources: [Source] = []
        for instance in instances {
            if !args.has("--err") { sources.append(Source(label: instance.name, path: "\(dir)/\(instance.name).out.log", isErr: false)) }
            if !args.has("--out") { sources.append(Source(label: instance.name, path: "\(dir)/\(instance.name).err.log", isErr: true)) }
        }
        if target == nil && !args.has("--out") && !args.has("--err") {
            sources.append(Source(label: "fom", path: "\(dir)/fom.log", isErr: false))
        }
        return sources
    }

    /// Prints a file's lines with the instance name in front, and remembers where it stopped.
    struct LinePrinter {
        let source: Source
        let width: Int
        var offset = 0
        var inode: UInt64 = 0
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

        mutating func printTail(_ n: Int) {
            guard let (bytes, ino) = read(from: 0) else { return }
            inode = ino
            offset = bytes.count
            guard n > 0 else { return }
            var lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            emit(lines.suffix(n).map(Array.init))
        }

        /// Prints what was appended since the last look; starts over after a rotation or flush.
        mutating func catchUp() {
            var st = stat()
            guard stat(source.path, &st) == 0 else { return }
            if UInt64(st.st_ino) != inode || Int(st.st_size) < offset {
                inode = UInt64(st.st_ino)
                offset = 0
                partial = []
            }
            guard Int(st.st_size) > offset, let (bytes, _) = read(from: offset) else { return }
            offset += bytes.count
            var data = partial + bytes
            partial = []
            if let last = data.lastIndex(of: 10) {
                partial = Array(data[(last + 1)...])
                data = Array(data[...last])
                var lines = data.split(separator: 10, omittingEmptySubsequences: false)
                if lines.last?.isEmpty == true { lines.removeLast() }
                emit(lines.map(Array.init))
            } else {
                partial = data
            }
        }

        func emit(_ lines: [[UInt8]]) {
            guard !lines.isEmpty else { return }
            var out: [UInt8] = []
            let p = Array(prefix.utf8)
            for line in lines {
                out.append(contentsOf: p)
                out.append(contentsOf: line)
                out.append(10)
            }
            try? FileDescriptor.writeAll(1, out)
        }

        func read(from position: Int) -> ([UInt8], UInt64)? {
            let fd = open(source.path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { return nil }
            defer { close(fd) }
            var st = stat()
            fstat(fd, &st)
            lseek(fd, off_t(position), SEEK_SET)
            var result: [UInt8] = []
            while let chunk = try? FileDescriptor.read(fd, max: 1 << 20), !chunk.isEmpty { result.append(contentsOf: chunk) }
            return (result, UInt64(st.st_ino))
        }
    }

    /// Wakes on inotify events of the log directory (and at most every 500 ms, in case the
    /// directory was replaced) and prints what each followed file gained.
    static func follow(_ printers: inout [LinePrinter], directory: String) throws -> Int32 {
        try? Files.makeDirectories(directory)
        let watcher = try DirectoryWatcher(directory)
        while true {
            watcher.wait(timeoutMs: 500)
            for i in printers.indices { printers[i].catchUp() }
        }
    }

    static func flush(_ args: ParsedArguments) throws -> Int32 {
        if args.positionals.count > 1 { throw UsageError("fom flush: name at most one instance") }
        let context = try Context.load(args)
        if let client = Client.connect(context) {
            defer { client.close() }
            _ = try client.request(Request(.flush, targets: args.positionals))
        } else {
            let sources = try selectSources(context, target: args.positionals.first, args: args)
            for source in sources {
                truncate(source.path, 0)
                for i in 1...max(context.config.logs.keep, 1) { unlink("\(source.path).\(i)") }
            }
        }
        Output.out("flushed \(args.positionals.first.map { "the logs of \($0)" } ?? "every log")")
        return 0
    }
}
