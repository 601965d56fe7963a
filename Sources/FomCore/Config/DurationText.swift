/// Durations as written in supervisor.json: `100ms`, `5s`, `1.5s`, `2m`, `1h`, also `1m30s`.
/// A unit is required: a bare `5` could mean seconds (supervisord) or milliseconds (pm2).
public enum DurationText {
    private static let units: [(name: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]
    private static let example = "write e.g. \"100ms\", \"5s\", \"2m\" or \"1h\""
    /// Only where a span of days makes sense (`fom logs --since 2d`); supervisor.json's
    /// durations stay within 24h and `format` never writes days.
    private static let day: (name: String, nanoseconds: Int64) = ("d", 86_400_000_000_000)

    public static func parse(_ text: String) throws(ConfigValueError) -> Duration {
        try parse(text, days: false)
    }

    /// `days`: `d` is a unit too (`2d`, `1d12h`).
    public static func parse(_ text: String, days: Bool) throws(ConfigValueError) -> Duration {
        let units = days ? Self.units + [Self.day] : Self.units
        let unitList = days ? "ms, s, m, h or d" : "ms, s, m or h"
        let bytes = Array(text.utf8)
        var i = 0
        func skipSpaces() { while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 } }
        func scan(_ accept: (UInt8) -> Bool) -> String {
            let start = i
            while i < bytes.count, accept(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let isLetter = { (byte: UInt8) in byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z") }
        let invalid = ConfigValueError("invalid duration \"\(text)\"; \(example)")

        skipSpaces()
        guard i < bytes.count else { throw ConfigValueError("empty duration; \(example)") }
        if bytes[i] == UInt8(ascii: "-") { throw ConfigValueError("duration \"\(text)\" is negative") }
        var total: Int64 = 0
        while i < bytes.count {
            let whole = scan(isDigit)
            var fraction = ""
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                fraction = scan(isDigit)
                if fraction.isEmpty { throw invalid }
            }
            guard !whole.isEmpty else { throw invalid }
            skipSpaces()
            let unitName = scan(isLetter)
            guard !unitName.isEmpty else {
                if i == bytes.count { throw ConfigValueError("duration needs a unit: \(unitList)") }
                throw invalid
            }
            guard let unit = units.first(where: { $0.name == unitName })?.nanoseconds else {
                throw ConfigValueError("unknown unit \"\(unitName)\" in duration \"\(text)\"; use \(unitList)")
            }
            let tooLong = ConfigValueError("duration \"\(text)\" is too long")
            guard let wholeValue = Int64(whole) else { throw tooLong }
            // Fractions go through Double and round to the nanosecond: exact for what people write.
            let fractional = fraction.isEmpty ? 0 : Int64((Double("0." + fraction)! * Double(unit)).rounded())
            let (product, overflow1) = wholeValue.multipliedReportingOverflow(by: unit)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            let (sum2, overflow3) = sum.addingReportingOverflow(fractional)
            if overflow1 || overflow2 || overflow3 { throw tooLong }
            total = sum2
            skipSpaces()
        }
        return .nanoseconds(total)
    }

    /// The shortest way to write `duration` that `parse` reads back: `5s`, `100ms`, `2m`, `1.5s`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0s" }
        for unit in units.reversed() where nanoseconds % unit.nanoseconds == 0 {
            return "\(nanoseconds / unit.nanoseconds)\(unit.name)"
        }
        // Not a whole number of milliseconds: decimal seconds, trailing zeros dropped.
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        var fraction = String(magnitude % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(magnitude / 1_000_000_000).\(fraction)s"
    }
}
