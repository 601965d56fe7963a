/// The `{port}`, `{address}`, `{name}`, `{python}` placeholders of a command. Each argument is
/// expanded on its own and never split or given to a shell, so values cannot inject anything.
public enum CommandTemplate {
    public static let placeholders = ["port", "address", "name", "python"]

    /// Replaces `{key}` for every key in `values`; other braces are left exactly as written.
    public static func expand(_ argument: String, _ values: [String: String]) -> String {
        guard argument.contains("{") else { return argument }
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
    public static func uses(_ argument: String, _ name: String) -> Bool {
        argument.contains("{\(name)}")
    }
}
