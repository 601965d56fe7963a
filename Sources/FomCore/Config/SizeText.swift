/// Sizes as written in supervisor.json: `100` bytes, `512K`, `10M`, `2G`; `KB`/`KiB` mean the same
/// binary units, because log and memory limits are always thought of in powers of two.
public enum SizeText {
    private static let units: [(names: [String], bytes: Int)] = [
        (["", "b"], 1),
        (["k", "kb", "kib"], 1 << 10),
        (["m", "mb", "mib"], 1 << 20),
        (["g", "gb", "gib"], 1 << 30),
        (["t", "tb", "tib"], 1 << 40),
    ]
    private static let example = "write e.g. \"512K\", \"10M\", \"2G\" or a number of bytes"

    public static func parse(_ text: String) throws(ConfigValueError) -> Int {
        let trimmed = trim(text)
        guard !trimmed.isEmpty else { throw ConfigValueError("empty size; \(example)") }
        if trimmed.hasPrefix("-") { throw ConfigValueError("size \"\(text)\" is negative") }
        let numberEnd =
            trimmed.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }) ?? trimmed.endIndex
        let number = trimmed[..<numberEnd]
        let unitName = trim(trimmed[numberEnd...]).lowercased()
        guard !number.isEmpty, let value = Double(number), !number.hasPrefix("."), !number.hasSuffix(".")
        else { throw ConfigValueError("invalid size \"\(text)\"; \(example)") }
        guard let unit = units.first(where: { $0.names.contains(unitName) })?.bytes else {
            throw ConfigValueError("unknown unit \"\(unitName)\" in size \"\(text)\"; use K, M, G or T")
        }
        if !number.contains("."), let whole = Int(number) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw ConfigValueError("size \"\(text)\" is too large") }
            return bytes
        }
        let bytes = (value * Double(unit)).rounded(.down)
        guard bytes < 9.2e18 else { throw ConfigValueError("size \"\(text)\" is too large") }
        return Int(bytes)
    }

    /// The shortest exact form: `10M`, `512K`, `100`.
    public static func format(_ bytes: Int) -> String {
        guard bytes != 0 else { return "0" }
        for unit in units.reversed() where bytes % unit.bytes == 0 {
            return "\(bytes / unit.bytes)" + (unit.bytes == 1 ? "" : unit.names[0].uppercased())
        }
        return "\(bytes)"
    }

    /// `61.2M`: for measured sizes, which are never round, in messages.
    public static func approximate(_ bytes: Int) -> String {
        let units: [(String, Int)] = [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (name, size) in units where bytes >= size {
            let tenths = (bytes * 10 + size / 2) / size
            return tenths % 10 == 0 ? "\(tenths / 10)\(name)" : "\(tenths / 10).\(tenths % 10)\(name)"
        }
        return "\(bytes)B"
    }

    /// Spaces and tabs off both ends (no Foundation here for `trimmingCharacters`).
    private static func trim(_ text: some StringProtocol) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }
}
