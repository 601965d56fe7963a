/// A POSIX signal by name and Linux x86_64 number. FomCore cannot import Glibc, so the numbers
/// live here; they are the same on every Linux architecture fom targets (x86_64, aarch64).
public struct Signal: Sendable, Hashable, CustomStringConvertible {
    /// With the `SIG` prefix: `SIGTERM`.
    public let name: String
    public let number: Int32

    private init(_ name: String, _ number: Int32) {
        self.name = name
        self.number = number
    }

    public static let hup = Signal("SIGHUP", 1)
    public static let int = Signal("SIGINT", 2)
    public static let quit = Signal("SIGQUIT", 3)
    public static let abrt = Signal("SIGABRT", 6)
    public static let kill = Signal("SIGKILL", 9)
    public static let usr1 = Signal("SIGUSR1", 10)
    public static let usr2 = Signal("SIGUSR2", 12)
    public static let alrm = Signal("SIGALRM", 14)
    public static let term = Signal("SIGTERM", 15)
    public static let cont = Signal("SIGCONT", 18)

    /// Every standard signal, so an exit "killed by signal 11" can be shown as SIGSEGV.
    public static let all: [Signal] = [
        .hup, .int, .quit, Signal("SIGILL", 4), Signal("SIGTRAP", 5), .abrt, Signal("SIGBUS", 7),
        Signal("SIGFPE", 8), .kill, .usr1, Signal("SIGSEGV", 11), .usr2, Signal("SIGPIPE", 13), .alrm,
        .term, Signal("SIGSTKFLT", 16), Signal("SIGCHLD", 17), .cont, Signal("SIGSTOP", 19),
        Signal("SIGTSTP", 20), Signal("SIGTTIN", 21), Signal("SIGTTOU", 22), Signal("SIGURG", 23),
        Signal("SIGXCPU", 24), Signal("SIGXFSZ", 25), Signal("SIGVTALRM", 26), Signal("SIGPROF", 27),
        Signal("SIGWINCH", 28), Signal("SIGIO", 29), Signal("SIGPWR", 30), Signal("SIGSYS", 31),
    ]

    /// The ones that make sense as `stopSignal`: by default they end a process, and none of them
    /// is one the kernel or a terminal also sends for other reasons (SIGSEGV, SIGSTOP...).
    public static let stopSignals: [Signal] = [.term, .int, .quit, .hup, .kill, .usr1, .usr2, .abrt, .alrm]

    /// Accepts `SIGTERM`, `TERM`, `term`, `sigterm`.
    public init?(name: String) {
        var upper = name.uppercased()
        if !upper.hasPrefix("SIG") { upper = "SIG" + upper }
        guard let signal = Signal.all.first(where: { $0.name == upper }) else { return nil }
        self = signal
    }

    public init?(number: Int32) {
        guard let signal = Signal.all.first(where: { $0.number == number }) else { return nil }
        self = signal
    }

    /// Parses a `stopSignal` value, with a message naming the accepted signals.
    public static func parseStopSignal(_ text: String) throws(ConfigValueError) -> Signal {
        let accepted = stopSignals.map(\.name).joined(separator: ", ")
        guard let signal = Signal(name: text) else {
            let hint = NameSuggestion.closest(to: text, in: stopSignals.map(\.name) + stopSignals.map(\.shortName))
            if let hint { throw ConfigValueError("unknown signal \"\(text)\"; did you mean \"\(hint)\"?") }
            throw ConfigValueError("unknown signal \"\(text)\"; use one of \(accepted)")
        }
        guard stopSignals.contains(signal) else {
            throw ConfigValueError("\(signal.name) cannot be used to stop an instance; use one of \(accepted)")
        }
        return signal
    }

    /// Without the prefix: `TERM`.
    public var shortName: String { String(name.dropFirst(3)) }

    public var description: String { name }
}
