import FomCore
import SystemKit

/// The env file as the daemon and every command read it, with one rule for a file that is not
/// there: fine for the default `.env` (no variables from it), an error for the file `--env`
/// selects, as `docker compose --env-file` does. A file that exists but cannot be read (a
/// directory, permission denied) is always an error naming it and the reason.
public enum EnvFile {
    /// The file's text; nil when it is absent and not `required`.
    public static func text(_ path: String, required: Bool, envName: String? = nil) throws(EnvFileError) -> String? {
        let text: String?
        do {
            text = try Files.readTextIfPresent(path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        if text == nil && required { throw .missing(path: path, envName: envName) }
        return text
    }

    /// The file's variables, read in `supervisorEnvironment`; errors name the file and line.
    public static func entries(
        _ path: String, required: Bool, supervisorEnvironment: [String: String]
    ) throws -> [DotEnvEntry] {
        guard let text = try text(path, required: required) else { return [] }
        return try DotEnv.parse(text, file: path, lookup: { supervisorEnvironment[$0] })
    }
}
