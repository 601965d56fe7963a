/// Path arithmetic on strings, so the config can resolve relative paths without the filesystem.
/// Lexical only: `..` is removed textually, symlinks are not followed (as `realpath -s` does).
public enum PosixPath {
    public static func isAbsolute(_ path: String) -> Bool {
        path.hasPrefix("/")
    }

    /// Collapses `//`, `.` and `..`; a relative path stays relative (`a/../../b` -> `../b`).
    public static func normalized(_ path: String) -> String {
        let absolute = isAbsolute(path)
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }  // `/..` is `/`
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `path` made absolute against `base` (itself absolute), then normalised.
    public static func absolute(_ path: String, base: String) -> String {
        normalized(isAbsolute(path) ? path : base + "/" + path)
    }

    /// The directory part: `/a/b` -> `/a`, `/a` -> `/`, `b` -> `.`.
    public static func directory(of path: String) -> String {
        let trimmed = normalized(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }
}
