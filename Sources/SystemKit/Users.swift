import Glibc

/// Accounts (for `fom startup`), read from /etc/passwd.
///
/// Not through getpwnam(3): the release binary is static, and glibc's lookups in a static binary
/// load the NSS modules that /etc/nsswitch.conf names (libnss_systemd.so and the like), which are
/// built against the shared glibc and crash the static one. Go's os/user does the same without
/// cgo. An account that only a directory service (LDAP, sssd) knows is not found by name; the
/// current account then comes from the environment.
public enum Users {
    public struct Account: Equatable, Sendable {
        public let name: String
        public let uid: UInt32
        public let gid: UInt32
        public let home: String

        public init(name: String, uid: UInt32, gid: UInt32, home: String) {
            self.name = name
            self.uid = uid
            self.gid = gid
            self.home = home
        }
    }

    public static let passwordFile = "/etc/passwd"

    public static func named(_ name: String) -> Account? {
        guard let text = Files.readText(passwordFile) else { return nil }
        return accounts(inPasswordFile: text).first { $0.name == name }
    }

    /// The account of the effective uid: its /etc/passwd entry, or else USER (or LOGNAME) and HOME.
    public static func current() -> Account? {
        let uid = geteuid()
        if let text = Files.readText(passwordFile), let entry = accounts(inPasswordFile: text).first(where: { $0.uid == uid }) {
            return entry
        }
        let environment = Files.environment()
        guard let name = [environment["USER"], environment["LOGNAME"]].compactMap({ $0 }).first(where: { !$0.isEmpty })
        else { return nil }
        return Account(name: name, uid: uid, gid: getegid(), home: environment["HOME"] ?? "")
    }

    /// The entries of a passwd(5) file (`name:password:uid:gid:gecos:home:shell`), in order, as
    /// glibc's files module reads them: blank lines, comments (`#`) and NIS compat lines (`+`,
    /// `-`) are skipped, and so is a line without seven fields or with a uid or gid that is not a
    /// number.
    public static func accounts(inPasswordFile text: String) -> [Account] {
        var result: [Account] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let first = line.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "+"),
                first != UInt8(ascii: "-")
            else { continue }
            let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard fields.count == 7, !fields[0].isEmpty, let uid = number(fields[2]), let gid = number(fields[3])
            else { continue }
            func text(_ field: Substring.UTF8View) -> String { String(decoding: field, as: UTF8.self) }
            result.append(Account(name: text(fields[0]), uid: uid, gid: gid, home: text(fields[5])))
        }
        return result
    }

    private static func number(_ field: Substring.UTF8View) -> UInt32? {
        guard !field.isEmpty, field.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// Gives a file or directory to an account (root installing a user's unit).
    public static func give(_ path: String, to account: Account) throws(SystemError) {
        if chown(path, account.uid, account.gid) != 0 { throw SystemError("chown \(path)") }
    }
}
