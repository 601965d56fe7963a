/// Signal names and Linux numbers (x86_64 and arm64 agree on these), so config and messages
/// can speak of signals without importing Glibc.
public enum Signal {
    public static let hangup: Int32 = 1
    public static let interrupt: Int32 = 2
    public static let kill: Int32 = 9
    public static let terminate: Int32 = 15
    public static let continueProcess: Int32 = 18

    static let table: [(String, Int32)] = [
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGILL", 4), ("SIGTRAP", 5), ("SIGABRT", 6),
        ("SIGBUS", 7), ("SIGFPE", 8), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGSEGV", 11),
        ("SIGUSR2", 12), ("SIGPIPE", 13), ("SIGALRM", 14), ("SIGTERM", 15), ("SIGCHLD", 17),
        ("SIGCONT", 18), ("SIGSTOP", 19), ("SIGTSTP", 20), ("SIGWINCH", 28),
    ]

    public static func name(of number: Int32) -> String {
        table.first { $0.1 == number }?.0 ?? "SIG\(number)"
    }

    /// Accepts `SIGTERM`, `TERM`, `term` and `15`.
    public static func number(named text: String) -> Int32? {
        let upper = text.uppercased()
        let full = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        if let hit = table.first(where: { $0.0 == full }) { return hit.1 }
        if let n = Int32(text), n > 0, n < 65 { return n }
        return nil
    }
}
