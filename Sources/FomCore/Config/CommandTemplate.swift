/// The `{port}`, `{address}`, `{name}`, `{python}` placeholders of a command. Each argument is
/// expanded on its own and never split or given to a shell, so values cannot inject anything.
public enum CommandTemplate {
    public static let placeholders = ["port", "address", "name", "python"]

    /// Replaces `{key}` for every key in `values`; other braces are left exactly as written.
    public static func expand(_ argument: String, _ values: [String: String]) -> String {
        guard argument.utf8.contains(UInt8(ascii: "{")) else { return argument }
        var result = ""
        var rest = argument[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"),
                let value = values[String(rest[afterOpen..<close])]
            {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += "{"
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }

    /// Whether `argument` uses `{name}` (e.g. `uses("--port={port}", "port")`).
    /// Byte search: `String.contains(String)` goes through the generic string-processing
    /// searcher, which made this half the cost of loading a 1,000-instance supervisor.json.
    public static func uses(_ argument: String, _ name: String) -> Bool {
        let text = Array(argument.utf8)
        let needle = [UInt8(ascii: "{")] + Array(name.utf8) + [UInt8(ascii: "}")]
        guard text.count >= needle.count else { return false }
        for start in 0...(text.count - needle.count) where text[start] == needle[0] {
            if text[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
