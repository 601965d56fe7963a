/// The `.env` dialect of docker compose (compose-go's `dotenv` package), so that a file that works
/// with `docker compose --env-file` means the same to fom. compose-go's own test cases run against
/// it in `ComposeGoDialectTests`.
///
/// Where compose-go accepts a line only by accident, fom reports an error instead (each is covered
/// by the golden tests):
/// - `=value` (an empty name): compose-go stores it under the key "";
/// - text after a closing quote other than a `#` comment (`A="b" c`): compose-go starts a new
///   statement there and reads `c` as a bare name;
/// - blanks other than a space inside a name (`A\tB=1`): compose-go keeps them in the key.
/// And one accident is repaired: a bare `KEY` on the last line without a newline is looked up
/// like any other bare `KEY` (compose-go turns it into the value of the empty key).
public enum DotEnv {
    /// Parses `text`, the content of `file` (named in errors only).
    ///
    /// `lookup` is the environment the file is read in (the supervisor's). It answers bare `KEY`
    /// lines, and it is asked first when a value refers to `$NAME`: a name defined earlier in the
    /// file is used only when `lookup` does not know it. That is compose-go's order (its PRs #403
    /// and #793: "values set by os.Env have higher precedence"), even though fom then lets the
    /// file's own value of that name win in the instance's environment.
    public static func parse(
        _ text: String, file: String, lookup: (String) -> String?
    ) throws(DotEnvError) -> [DotEnvEntry] {
        var parser = DotEnvParser(text: text, file: file)
        return try parser.parse(lookup: lookup)
    }
}
