/// Who may talk to the dashboard, decided from the request alone (pure, unit-tested):
/// - the token: from the URL once (then an HttpOnly SameSite=Strict cookie), the cookie, or
///   `Authorization: Bearer`;
/// - the Host header must name the address served, so a DNS-rebound name is refused;
/// - a change is a POST with a matching Origin or the `X-Fom: 1` header, which a form of
///   another site cannot send without a preflight.
public struct WebSecurity: Sendable {
    public let token: String
    /// `host:port` values the Host header may carry.
    public let allowedHosts: Set<String>
    /// Listening on every interface: any IPv4 literal with the port names this server (a DNS
    /// rebinding needs a name, so an address typed as digits is safe).
    let anyAddress: Bool
    let port: Int
    public static let cookieName = "fom_token"

    public init(token: String, address: String, port: Int) {
        self.token = token
        self.port = port
        anyAddress = address == "0.0.0.0"
        var hosts: Set<String> = ["\(address):\(port)"]
        if address == "127.0.0.1" || address == "localhost" {
            hosts.insert("localhost:\(port)")
            hosts.insert("127.0.0.1:\(port)")
        }
        allowedHosts = hosts
    }

    public enum Verdict: Sendable, Equatable {
        case allowed
        /// The token came in the URL: set the cookie and send the browser to the same place
        /// without it, so the token leaves the address bar and the history.
        case setCookie(redirect: String)
        case refused(status: Int, reason: String)
    }

    public func check(_ request: HTTPRequest) -> Verdict {
        guard let host = request.header("Host")?.lowercased(), allows(host: host) else {
            return .refused(status: 421, reason: "the Host header does not name this server")
        }
        if let presented = request.query["token"] {
            guard Self.same(presented, token) else { return .refused(status: 401, reason: "wrong token") }
            if request.method == "GET" { return .setCookie(redirect: request.path) }
        } else {
            var presented = request.cookie(Self.cookieName)
            if let auth = request.header("Authorization"), let credentials = Self.bearerCredentials(auth) {
                presented = credentials
            }
            guard let presented, Self.same(presented, token) else {
                return .refused(
                    status: 401,
                    reason: "a token is required: open the URL fom ui printed, or send Authorization: Bearer")
            }
        }
        if request.method != "GET" && request.method != "HEAD" {
            guard request.method == "POST" else { return .refused(status: 405, reason: "only GET and POST") }
            // The Host was checked above: the page's own Origin is that host.
            let originOK = request.header("Origin").map { $0.lowercased() == "http://\(host)" }
            // A matching Origin, or the custom header; a foreign Origin is refused even with it.
            if originOK == false { return .refused(status: 403, reason: "the Origin is not this dashboard") }
            if originOK != true && request.header("X-Fom") != "1" {
                return .refused(status: 403, reason: "a change needs a matching Origin or the header X-Fom: 1")
            }
        }
        return .allowed
    }

    /// The token of `Bearer TOKEN`: the scheme is case-insensitive (RFC 9110, section 11.1),
    /// so `bearer` and `BEARER` are the same; spaces around the token do not count.
    static func bearerCredentials(_ header: String) -> String? {
        let text = header.drop { $0 == " " || $0 == "\t" }
        guard let space = text.firstIndex(where: { $0 == " " || $0 == "\t" }),
            text[..<space].lowercased() == "bearer"
        else { return nil }
        let token = text[space...].trimmingPrefixAndSuffix()
        return token.isEmpty ? nil : token
    }

    func allows(host: String) -> Bool {
        if allowedHosts.contains(host) { return true }
        guard anyAddress, host.hasSuffix(":\(port)") else { return false }
        let octets = host.dropLast("\(port)".count + 1).split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The cookie that carries the token from now on.
    public var cookie: String {
        "\(Self.cookieName)=\(token); HttpOnly; SameSite=Strict; Path=/"
    }

    /// Compares in time independent of where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = x.count ^ y.count
        for i in 0..<max(x.count, y.count) {
            diff |= Int((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0))
        }
        return diff == 0
    }
}

extension Substring {
    fileprivate func trimmingPrefixAndSuffix() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
