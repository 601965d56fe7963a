/// `fom logs --since`: where the shown lines start, as docker and journalctl take it: a span back
/// from now (`90s`, `10m`, `1h30m`, `2d`: fom's own duration syntax, with days) or a time. A time
/// is read as UTC unless it names its offset, because fom's log lines carry UTC times: one copied
/// from a log line means what it says. Pure: "now" is given by the caller.
public enum LogSince {
    /// The accepted forms, for the usage error.
    public static let forms =
        "a span back from now (90s, 10m, 1h30m, 2d) or a UTC time as the logs show it (2026-12-07T05:30:54Z, 2026-12-07 05:30, 2026-12-07; +02:00 names another offset)"

    /// The first millisecond (since the epoch) whose lines are shown.
    public static func cutoff(_ text: String, nowMilliseconds: Int64) throws(ConfigValueError) -> Int64 {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw ConfigValueError("empty value") }
        if let first = trimmed.utf8.first, first == UInt8(ascii: "-") {
            throw ConfigValueError("\"\(text)\" is negative (a span counts back from now by itself: 10m)")
        }
        // Four digits and a dash start a date; anything else is a span.
        let bytes = Array(trimmed.utf8)
        if bytes.count >= 5, bytes[0..<4].allSatisfy(isDigit), bytes[4] == UInt8(ascii: "-") {
            return try time(bytes, text: text)
        }
        let span: Duration
        do {
            span = try DurationText.parse(trimmed, days: true)
        } catch {
            throw ConfigValueError(error.message)
        }
        let ms = span.components.seconds * 1000 + span.components.attoseconds / 1_000_000_000_000_000
        // Further back than the epoch: every line.
        return ms >= nowMilliseconds ? 0 : nowMilliseconds - ms
    }

    /// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]`.
    static func time(_ b: [UInt8], text: String) throws(ConfigValueError) -> Int64 {
        let bad = ConfigValueError("\"\(text)\" is not a time such as 2026-12-07T05:30:54Z")
        var i = 0
        func number(_ width: Int) throws(ConfigValueError) -> Int64 {
            guard i + width <= b.count, b[i..<(i + width)].allSatisfy(isDigit) else { throw bad }
            var value: Int64 = 0
            for byte in b[i..<(i + width)] { value = value * 10 + Int64(byte - UInt8(ascii: "0")) }
            i += width
            return value
        }
        func expect(_ c: Character) throws(ConfigValueError) {
            guard i < b.count, b[i] == c.asciiValue! else { throw bad }
            i += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        var hour: Int64 = 0
        var minute: Int64 = 0
        var second: Int64 = 0
        var millis: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") {
            i += 1
            hour = try number(2)
            try expect(":")
            minute = try number(2)
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                second = try number(2)
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    i += 1
                    let start = i
                    while i < b.count, isDigit(b[i]) { i += 1 }
                    let digits = b[start..<i]
                    guard !digits.isEmpty else { throw bad }
                    // Milliseconds: what the logs carry; finer digits are cut.
                    for (k, byte) in digits.prefix(3).enumerated() {
                        millis += Int64(byte - UInt8(ascii: "0")) * [100, 10, 1][k]
                    }
                }
            }
        }
        var offsetMinutes: Int64 = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                let hours = try number(2)
                if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
                let minutes = try number(2)
                guard hours <= 23, minutes <= 59 else { throw bad }
                offsetMinutes = sign * (hours * 60 + minutes)
            }
        }
        guard i == b.count else { throw bad }
        guard (1970...9999).contains(year), (1...12).contains(month), hour <= 23, minute <= 59, second <= 59,
            (1...daysIn(month, year)).contains(day)
        else { throw ConfigValueError("\"\(text)\" is not a valid date and time (from 1970 on)") }
        let days = daysFromCivil(year, month, day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return max(0, seconds * 1000 + millis)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil, the inverse of `Timestamp`'s).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
