import FomCore
import FomDaemon
import FomProtocol
import Glibc
import SystemKit

/// `fom monit`: a live view of every instance (as `pm2 monit`), built on the daemon's `watch`
/// stream, with the selected instance's log lines below, read from the files as `fom logs -f`
/// reads them. It draws only when something changed, fits the terminal, and gives the terminal
/// back as it found it on every way out (q, Ctrl-C, SIGTERM, SIGHUP, the daemon going away).
/// Without a terminal it prints one snapshot and exits 0.
enum MonitCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        if let extra = args.positionals.first { throw UsageError("fom monit: unexpected argument \"\(extra)\"") }
        let context = try Context.load(args)
        guard Terminal.isTerminal(0), Terminal.isTerminal(1) else { return try snapshot(context) }
        guard let client = try Client.connect(context) else {
            throw Failure("the daemon is not running; there is nothing to watch ('fom start' or 'fom ping' starts it)")
        }
        defer { client.close() }
        let stream = try WatchStream(client)
        // Signals as a descriptor, so that each of them ends the loop and the terminal is restored.
        let signalFD = try Signals.blockAndOpen([SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT])
        defer { FileDescriptor.close(signalFD) }
        try? Files.makeDirectories(context.config.logs.dir)
        let watcher = try DirectoryWatcher(context.config.logs.dir)
        let settings = try Terminal.enterRawMode(0)
        let screen = MonitScreen(context: context, stream: stream)
        // Alternate screen, cursor hidden; undone below whatever happens in the loop.
        try? FileDescriptor.writeAll(1, "\u{1B}[?1049h\u{1B}[?25l")
        defer {
            try? FileDescriptor.writeAll(1, "\u{1B}[?25h\u{1B}[?1049l")
            Terminal.restore(0, settings)
        }
        return try screen.loop(signalFD: signalFD, watcher: watcher)
    }

    /// Not a terminal: the table once, with cpu and memory, and exit 0.
    static func snapshot(_ context: Context) throws -> Int32 {
        var rows = ListCommand.offlineRows(context)
        // A daemon that does not answer is an error, as for `list`: its rows are not "stopped".
        if let client = try Client.connect(context) {
            defer { client.close() }
            let answer = try client.request(Request(.list))
            rows = (answer["instances"]?.arrayValue ?? []).compactMap(InstanceInfo.init(json:))
        } else {
            Output.err("fom monit: the daemon is not running ('fom start' or 'fom ping' starts it)")
        }
        for line in ListCommand.tableLines(rows) { Output.out(line) }
        return 0
    }
}

/// The state of the view: the rows (kept by the stream), the selection, the log lines of the
/// selected instance, a question or message at the bottom, and the last frame drawn.
final class MonitScreen {
    let context: Context
    let stream: WatchStream
    var selected = 0
    var selectedName: String?
    var logLines: [String] = []
    var printers: [LogsCommand.LinePrinter] = []
    var confirming: String?
    var message = ""
    var lastFrame = ""
    var size = (rows: 24, columns: 80)
    static let keptLogLines = 500

    init(context: Context, stream: WatchStream) {
        self.context = context
        self.stream = stream
    }

    func loop(signalFD: Int32, watcher: DirectoryWatcher) throws -> Int32 {
        size = Terminal.size(1) ?? size
        followSelected()
        draw()
        var pendingKeys: [UInt8] = []
        while true {
            let ready = Terminal.waitReadable(
                [0, stream.fd, signalFD, watcher.descriptor], timeoutMs: stream.silenceLeftMs)
            if !ready.contains(stream.fd) { try stream.checkSilence() }
            if ready.contains(signalFD) {
                while let signal = Signals.next(from: signalFD) {
                    if signal == SIGWINCH {
                        size = Terminal.size(1) ?? size
                        lastFrame = ""  // everything moves: draw it all again
                    } else {
                        return 0
                    }
                }
            }
            if ready.contains(stream.fd) {
                guard try stream.receive() else {
                    throw Failure("the daemon closed the watch (it stopped, or this view fell too far behind)")
                }
                followSelected()
            }
            if ready.contains(watcher.descriptor) {
                watcher.drain()
                for i in printers.indices { append(printers[i].catchUp(), isErr: printers[i].source.isErr) }
            }
            if ready.contains(0) {
                guard let bytes = try? FileDescriptor.read(0, max: 256), !bytes.isEmpty else { return 0 }
                pendingKeys += bytes
                while let key = nextKey(&pendingKeys) {
                    if !handle(key) { return 0 }
                }
            }
            draw()
        }
    }

    enum Key { case up, down, char(UInt8) }

    /// One key from the bytes read; arrows come as ESC [ A / ESC O A.
    func nextKey(_ bytes: inout [UInt8]) -> Key? {
        guard let first = bytes.first else { return nil }
        if first == 0x1B, bytes.count >= 3, bytes[1] == UInt8(ascii: "[") || bytes[1] == UInt8(ascii: "O") {
            let code = bytes[2]
            bytes.removeFirst(3)
            if code == UInt8(ascii: "A") { return .up }
            if code == UInt8(ascii: "B") { return .down }
            return .char(0)
        }
        bytes.removeFirst()
        return .char(first)
    }

    /// False when the view should end.
    func handle(_ key: Key) -> Bool {
        if let name = confirming {
            confirming = nil
            if case .char(let c) = key, c == UInt8(ascii: "y") || c == UInt8(ascii: "Y") {
                restart(name)
            } else {
                message = "restart of \(name) cancelled"
            }
            return true
        }
        let rows = stream.rows
        switch key {
        case .up, .char(UInt8(ascii: "k")):
            if selected > 0 { selected -= 1 }
        case .down, .char(UInt8(ascii: "j")):
            if selected + 1 < rows.count { selected += 1 }
        case .char(UInt8(ascii: "q")), .char(3), .char(4):
            return false
        case .char(UInt8(ascii: "r")):
            if rows.indices.contains(selected) {
                confirming = rows[selected].name
                message = ""
            }
        default:
            break
        }
        followSelected()
        return true
    }

    func restart(_ name: String) {
        guard let client = try? Client.connect(context) else {
            message = "cannot restart \(name): the daemon is not answering"
            return
        }
        defer { client.close() }
        do {
            _ = try client.request(Request(.restart, targets: [name], wait: false))
            message = "restarting \(name)"
        } catch {
            message = "restart of \(name) failed: \(error)"
        }
    }

    /// Opens the selected instance's log files when the selection moved to another instance.
    func followSelected() {
        let rows = stream.rows
        guard !rows.isEmpty else { return }
        selected = min(selected, rows.count - 1)
        let name = rows[selected].name
        guard name != selectedName else { return }
        selectedName = name
        logLines = []
        let dir = context.config.logs.dir
        printers = [
            LogsCommand.Source(label: name, path: "\(dir)/\(name).out.log", isErr: false),
            LogsCommand.Source(label: name, path: "\(dir)/\(name).err.log", isErr: true),
        ].map { source in
            LogsCommand.LinePrinter(source: source, width: 0)
        }
        for i in printers.indices {
            append(Array(printers[i].readAll().suffix(Self.keptLogLines / 2)), isErr: printers[i].source.isErr)
        }
    }

    func append(_ lines: [[UInt8]], isErr: Bool) {
        for line in lines {
            // Escape sequences and control characters of the app would move our cursor.
            let clean = String(decoding: line.map { $0 == 9 ? 32 : ($0 < 32 || $0 == 127 ? 63 : $0) }, as: UTF8.self)
            logLines.append(isErr ? "! " + clean : "  " + clean)
        }
        if logLines.count > Self.keptLogLines { logLines.removeFirst(logLines.count - Self.keptLogLines) }
    }

    /// The whole frame as text; written only when it differs from the last one.
    func draw() {
        let width = max(size.columns, 20)
        let height = max(size.rows, 6)
        let rows = stream.currentRows()
        var lines: [String] = []
        lines.append(clip("fom monit · \(rows.count) instances · ↑/↓ j/k select · r restart · q quit", width))
        let header = ["", "id", "name", "status", "pid", "cpu", "memory", "restarts", "uptime", "port"]
        let body = rows.enumerated().map { i, row -> [String] in
            [
                i == selected ? ">" : " ", String(row.id), row.name, row.status.rawValue,
                row.pid.map(String.init) ?? "-",
                Output.cpu(row.cpuPercent), Output.memory(row.memoryBytes), String(row.restarts),
                row.uptimeMs.map { Output.duration(ms: $0) } ?? "-", row.port.map(String.init) ?? "-",
            ]
        }
        let table = Output.table(header, body)
        // At most half the screen for the rows; the window follows the selection.
        let visible = max(1, min(rows.count, height / 2 - 2))
        let first = min(max(0, selected - visible + 1), max(0, rows.count - visible))
        lines.append(clip(table[0], width))
        for (i, line) in table.dropFirst().enumerated() where i >= first && i < first + visible {
            lines.append(i == selected ? "\u{1B}[7m" + clip(line, width) + "\u{1B}[0m" : clip(line, width))
        }
        let title = "── logs of \(selectedName ?? "-") "
        lines.append(clip(title + String(repeating: "─", count: max(0, width - title.count)), width))
        let room = max(0, height - lines.count - 1)
        lines += logLines.suffix(room).map { clip($0, width) }
        while lines.count < height - 1 { lines.append("") }
        if let name = confirming {
            lines.append(clip("restart \(name)? (y/n)", width))
        } else {
            lines.append(clip(message, width))
        }
        let frame = "\u{1B}[H" + lines.joined(separator: "\u{1B}[K\r\n") + "\u{1B}[K\u{1B}[J"
        guard frame != lastFrame else { return }
        lastFrame = frame
        try? FileDescriptor.writeAll(1, frame)
    }

    func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width))
    }
}
