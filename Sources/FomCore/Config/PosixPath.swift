/// Path arithmetic on strings, so the config can resolve relative paths without the filesystem.
/// Lexical only: `..` is removed textually, symlinks are not followed (as `realpath -s` does).
public enum PosixPath {
    public static func isAbsolute(_ path: String) -> Bool {
        path.utf8.first == slash
    }

    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    /// Collapses `//`, `.` and `..`; a relative path stays relative (`a/../../b` -> `../b`).
    /// Works on the UTF-8 bytes: `/` and `.` never occur inside a multi-byte character.
    public static func normalized(_ path: String) -> String {
        let absolute = isAbsolute(path)
        let bytes = Array(path.utf8)
        var parts: [Range<Int>] = []
        func isDotDot(_ r: Range<Int>) -> Bool {
            r.count == 2 && bytes[r.lowerBound] == dot && bytes[r.lowerBound + 1] == dot
        }
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != slash { end += 1 }
            let part = start..<end
            if part.isEmpty || (part.count == 1 && bytes[start] == dot) {
                // `//` or `.`
            } else if isDotDot(part) {
                if let last = parts.last, !isDotDot(last) {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }  // `/..` is `/`
            } else {
                parts.append(part)
            }
            start = end + 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        if absolute { out.append(slash) }
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(slash) }
            out.append(contentsOf: bytes[part])
        }
        if out.isEmpty { return "." }
        return String(decoding: out, as: UTF8.self)
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
