/// `CVAT_URL` taken apart as far as doctor needs: an http or https URL with a host. FiftyOne
/// appends `/api/...` to the text as it is, so the text itself is what gets requested.
public struct CVATServerURL: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int
    /// The URL as written, with any `user:password@` part masked: safe to print.
    public let display: String
    /// FiftyOne would request `//api/...` (it does not strip a trailing slash).
    public let hasTrailingSlash: Bool

    /// Why a value is not a usable CVAT URL, in words for the user.
    public struct Problem: Error, Sendable, Equatable {
        public let message: String
    }

    public static func parse(_ text: String) -> Result<CVATServerURL, Problem> {
        if text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            return .failure(Problem(message: "contains whitespace"))
        }
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else {
            return .failure(Problem(message: "has no scheme (write it as http://HOST:PORT or https://HOST)"))
        }
        let scheme = text[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return .failure(Problem(message: "is a \(scheme) URL, not http or https"))
        }
        let afterScheme = text.index(colon, offsetBy: 3)
        let rest = text[afterScheme...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var shown = String(text[..<afterScheme])
        if let at = authority.lastIndex(of: "@") {
            shown += "***@"
            authority = authority[authority.index(after: at)...]
        }
        shown += String(authority) + String(rest[authorityEnd...])
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return .failure(Problem(message: "has an unclosed '[' in its host"))
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                return .failure(Problem(message: "has text after its IPv6 address"))
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(Problem(message: "has no host")) }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isNumber) else {
                return .failure(Problem(message: "has the port \"\(portText)\", not a number from 1 to 65535"))
            }
            port = value
        }
        let path = rest[authorityEnd...]
        return .success(
            CVATServerURL(
                scheme: scheme, host: String(host), port: port, display: shown,
                hasTrailingSlash: path.hasSuffix("/")))
    }
}
