import CSystem
import Glibc

/// The controlling terminal of an interactive view (`fom monit`): raw mode in and out, and
/// its size. Whoever enters raw mode restores the saved settings on every way out.
public enum Terminal {
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Rows and columns; nil when `fd` is not a terminal or it reports no size.
    public static func size(_ fd: Int32) -> (rows: Int, columns: Int)? {
        var rows: Int32 = 0
        var columns: Int32 = 0
        guard csys_window_size(fd, &rows, &columns) == 0, rows > 0, columns > 0 else { return nil }
        return (Int(rows), Int(columns))
    }

    /// The settings to give back to `restore`.
    public struct Settings {
        fileprivate let saved: termios
    }

    /// Raw input and output (no echo, no line editing, no signals from keys: Ctrl-C arrives as
    /// byte 3; "\n" does not return the carriage, so the caller writes "\r\n").
    public static func enterRawMode(_ fd: Int32) throws(SystemError) -> Settings {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw SystemError("tcgetattr") }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(fd, TCSAFLUSH, &raw) == 0 else { throw SystemError("tcsetattr") }
        return Settings(saved: saved)
    }

    public static func restore(_ fd: Int32, _ settings: Settings) {
        var saved = settings.saved
        _ = tcsetattr(fd, TCSAFLUSH, &saved)
    }

    /// Waits until one of `fds` is readable (or the timeout passes, -1: none) and returns
    /// those that are (a hang-up counts as readable: the read then says end of file).
    public static func waitReadable(_ fds: [Int32], timeoutMs: Int32) -> [Int32] {
        var set = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = poll(&set, nfds_t(set.count), timeoutMs)
        if n <= 0 { return [] }
        return set.filter { $0.revents != 0 }.map(\.fd)
    }
}
