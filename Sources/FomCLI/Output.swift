import FomCore
import Glibc
import SystemKit

/// Writing to the terminal or a pipe: colour only on a terminal (and never with NO_COLOR).
enum Output {
    static func out(_ text: String) { try? FileDescriptor.writeAll(1, text + "\n") }
    static func err(_ text: String) { try? FileDescriptor.writeAll(2, text + "\n") }

    static let colorOut = isatty(1) == 1 && getenv("NO_COLOR") == nil
    static let colorErr = isatty(2) == 1 && getenv("NO_COLOR") == nil

    static func paint(_ text: String, _ code: String, on enabled: Bool = colorOut) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A plain table: columns padded to their widest cell (cells may hold colour codes).
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        func visible(_ s: String) -> Int {
            // Most cells are plain ASCII: their width is their length in bytes.
            if s.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return s.utf8.count }
            var count = 0
            var inEscape = false
            for c in s.unicodeScalars {
                if c == "\u{1B}" { inEscape = true; continue }
                if inEscape { if c == "m" { inEscape = false }; continue }
                count += 1
            }
            return count
        }
        let cells = [header] + rows
        let sizes = cells.map { $0.map(visible) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in sizes {
            for (i, size) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], size) }
        }
        // Lines are built as bytes: appending to a String piece by piece cost more than the rest
        // of a 1,000-row `list`.
        var bytes: [UInt8] = []
        return zip(cells, sizes).map { row, size in
            bytes.removeAll(keepingCapacity: true)
            for (i, cell) in row.enumerated() {
                if i > 0 { bytes.append(contentsOf: [0x20, 0x20]) }
                bytes.append(contentsOf: cell.utf8)
                if i < row.count - 1, i < widths.count, widths[i] > size[i] {
                    bytes.append(contentsOf: repeatElement(0x20, count: widths[i] - size[i]))
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func statusColor(_ status: String) -> String {
        switch status {
        case "online": return paint(status, "32")
        case "errored": return paint(status, "31")
        case "starting", "stopping", "backoff": return paint(status, "33")
        default: return paint(status, "2")
        }
    }

    /// `12.3%`, or `-` before the daemon has a second sample of the run.
    static func cpu(_ percent: Double?) -> String {
        guard let percent else { return "-" }
        let tenths = Int((percent * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// `312.4M`: resident memory of the whole tree.
    static func memory(_ bytes: Int?) -> String { bytes.map(SizeText.approximate) ?? "-" }

    static func duration(ms: Int) -> String {
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}
