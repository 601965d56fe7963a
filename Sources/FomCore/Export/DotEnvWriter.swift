/// Writes `KEY=VALUE` lines that compose-go's dotenv parser (and fom's `DotEnv`) read back as the
/// same values: single quotes (literal) where possible, else double quotes with escapes, where
/// `$` is escaped too so that nothing is expanded.
public enum DotEnvWriter {
    public static func file(_ entries: [(key: String, value: String)]) -> String {
        entries.map { "\($0.key)=\(quoted($0.value))\n" }.joined()
    }

    static func quoted(_ value: String) -> String {
        if !value.contains("'") && !value.contains("\n") && !value.contains("\r") { return "'" + value + "'" }
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "$": out += "\\$"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
