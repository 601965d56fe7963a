import FomCore

/// One client of the control socket: bytes in until a newline, answers out as the socket
/// takes them. A line over 1 MiB is answered with an error and the connection closed.
///
/// Bounded (DESIGN.md, control protocol): a client's next request is read only once its last
/// answer is sent, so a client that sends and never reads holds one answer, not a growing pile;
/// past `maxUnsent` anyway it is dropped. A client with nothing in progress is dropped after
/// `idleTimeout`.
final class ControlConnection {
    static let maxLine = 1 << 20
    /// An answer larger than this that the client does not read is not kept for it.
    static let maxUnsent = 64 << 20
    static let idleTimeout: Duration = .seconds(60)
    /// A request naming more targets than this is refused before any work is done.
    static let maxTargets = 10_000

    var input: [UInt8] = []
    private var output: [UInt8] = []
    /// How much of `output` the socket has taken: sent bytes are dropped in bulk, not one send
    /// at a time (which would copy the rest of a large answer on every send).
    private var sent = 0
    /// Close once the output is written (after an over-long line or at the client's EOF).
    var closeWhenFlushed = false
    /// The client closed its writing side: what it asked is still answered, then it is closed.
    var halfClosed = false
    /// Waiting for an answer that comes later (stop, start, kill): do not read more meanwhile.
    var awaitingAnswer = false
    /// When the client last sent or was sent anything.
    var lastActivity: Instant

    init(now: Instant) { lastActivity = now }

    var hasUnsentOutput: Bool { sent < output.count }
    /// What is still to be sent (handed to the next binary by `fom upgrade`).
    var unsentBytes: [UInt8] { Array(output[sent...]) }
    var unsentCount: Int { output.count - sent }

    func queue(_ bytes: [UInt8]) {
        output.append(contentsOf: bytes)
    }

    /// The bytes not sent yet, for one send.
    func withUnsent<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        output.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
    }

    func didSend(_ count: Int) {
        sent += count
        if sent == output.count {
            output.removeAll(keepingCapacity: output.count <= 64 << 10)
            sent = 0
        }
    }

    /// Whether the client may be dropped for silence: nothing asked, nothing to send.
    func isIdle(now: Instant) -> Bool {
        !awaitingAnswer && !hasUnsentOutput && now - lastActivity >= Self.idleTimeout
    }
}
