/// Finds supervisor.json the way git finds `.git`, so `fom` works from any subdirectory.
public enum ConfigDiscovery {
    public static let environmentVariable = "FOM_CONFIG"

    /// `explicit` (`--config PATH`), else `$FOM_CONFIG`, else `supervisor.json` in `cwd` or the
    /// nearest parent. The result is absolute and normalised; an explicit or environment path is
    /// returned whether it exists or not (the caller reports a missing file). Nil when none is found.
    public static func locate(
        explicit: String?, environment: [String: String], cwd: String, fileExists: (String) -> Bool
    ) -> String? {
        if let explicit, !explicit.isEmpty {
            return PosixPath.absolute(explicit, base: cwd)
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return PosixPath.absolute(fromEnvironment, base: cwd)
        }
        var directory = PosixPath.normalized(cwd)
        while true {
            let candidate = PosixPath.absolute(SupervisorConfig.fileName, base: directory)
            if fileExists(candidate) { return candidate }
            let parent = PosixPath.directory(of: directory)
            if parent == directory { return nil }
            directory = parent
        }
    }
}
