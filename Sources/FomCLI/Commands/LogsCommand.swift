import FomCore
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
        if args.has("--out") && args.has("--err") {
            throw UsageError("fom logs: --out and --err exclude each other; give neither for both")
        }
        var lines = 20
        if let text = args.options["--lines"] {
            guard let n = Int(text), n >= 0 else {
                throw UsageError("fom logs: -n takes a number of lines, not \"\(text)\"")
            }
            guard n <= 1_000_000 else { throw UsageError("fom logs: -n takes at most 1000000 lines, not \(text)") }
            lines = n
        }
        let context = try Context.load(args)
        let sources = try selectSources(context, target: args.positionals.first, args: args)
        if !sources.contains(where: { Files.exists($0.path) }) {
            Output.err("fom logs: nothing logged yet in \(context.config.logs.dir)")
        }
        let width = sources.map(\.label.count).max() ?? 0
        var printers = sources.map { LinePrinter(source: $0, width: width) }
        for i in printers.indices { printers[i].printTail(lines) }
        guard args.has("--follow") else { return 0 }
        return try follow(&printers, directory: context.config.logs.dir)
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

    /// Prints a file's lines with the instance name in front. While following it keeps the file
    /// open, so that after a rotation it first reads the old file to its end, then every archive
    /// that came after it, then the new file: no line is skipped.
    struct LinePrinter {
        let source: Source
        let width: Int
        var fd: Int32 = -1
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

        /// The last n lines, and the file kept open at its end for following.
        mutating func printTail(_ n: Int) {
            guard open(source.path) else { return }
            var lines = readToEnd().split(separator: 10, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            if n > 0 { emit(lines.suffix(n).map(Array.init)) }
        }

        /// Prints what was appended since the last look, following rotations and flushes.
        mutating func catchUp() {
            if fd < 0 {
                // The file did not exist yet: everything in it is new.
                guard open(source.path) else { return }
                print(readToEnd())
                return
            }
            print(readToEnd())
            guard let current = Self.inode(of: source.path) else { return }
            if current != inode {
                // Rotated: our file is now NAME.log.k; NAME.log.(k-1) ... .1 came after it.
                let old = inode
                var k = 1
                while let ino = Self.inode(of: "\(source.path).\(k)"), ino != old { k += 1 }
                if Self.inode(of: "\(source.path).\(k)") == old {
                    var j = k - 1
                    while j >= 1 {
                        if open("\(source.path).\(j)") { print(readToEnd()) }
                        j -= 1
                    }
                }
                flushPartial()
                guard open(source.path) else { return }
                print(readToEnd())
            } else {
                var st = stat()
                if fstat(fd, &st) == 0, lseek(fd, 0, SEEK_CUR) > st.st_size {
                    // Flushed (truncated): start again from its beginning.
                    lseek(fd, 0, SEEK_SET)
                    partial = []
                    print(readToEnd())
                }
            }
        }

        mutating func open(_ path: String) -> Bool {
            if fd >= 0 { close(fd) }
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            var st = stat()
            fstat(fd, &st)
            inode = UInt64(st.st_ino)
            return true
        }

        static func inode(of path: String) -> UInt64? {
            var st = stat()
            return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
        }

        func readToEnd() -> [UInt8] {
            var result: [UInt8] = []
            while let chunk = try? FileDescriptor.read(fd, max: 1 << 20), !chunk.isEmpty {
                result.append(contentsOf: chunk)
            }
            return result
        }

        /// Prints the complete lines of `bytes`, keeping an unfinished last line for later.
        mutating func print(_ bytes: [UInt8]) {
            guard !bytes.isEmpty else { return }
            var data = partial + bytes
            partial = []
            guard let last = data.lastIndex(of: 10) else {
                partial = data
                return
            }
            partial = Array(data[(last + 1)...])
            data = Array(data[...last])
            var lines = data.split(separator: 10, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            emit(lines.map(Array.init))
        }

        mutating func flushPartial() {
            if !partial.isEmpty { emit([partial]) }
            partial = []
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
        if let client = try Client.connect(context) {
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
