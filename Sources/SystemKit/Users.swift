import Glibc

/// Accounts from the password database (for `fom startup`).
public enum Users {
    public struct Account: Sendable {
        public let name: String
        public let uid: UInt32
        public let gid: UInt32
        public let home: String
    }

    public static func named(_ name: String) -> Account? {
        guard let entry = getpwnam(name) else { return nil }
        return account(entry.pointee)
    }

    /// The account of the effective uid.
    public static func current() -> Account? {
        guard let entry = getpwuid(geteuid()) else { return nil }
        return account(entry.pointee)
    }

    public static var isRoot: Bool { geteuid() == 0 }

    private static func account(_ p: passwd) -> Account {
        Account(
            name: String(cString: p.pw_name), uid: p.pw_uid, gid: p.pw_gid, home: String(cString: p.pw_dir))
    }

    /// Gives a file or directory to an account (root installing a user's unit).
    public static func give(_ path: String, to account: Account) throws(SystemError) {
        if chown(path, account.uid, account.gid) != 0 { throw SystemError("chown \(path)") }
    }
}
