/// One client of the control socket: bytes in until a newline, answers out as the socket
/// takes them. A line over 1 MiB is answered with an error and the connection closed.
final class ControlConnection {
    static let maxLine = 1 << 20
    var input: [UInt8] = []
    var output: [UInt8] = []
    /// Close once the output is written (after an over-long line or at the client's EOF).
    var closeWhenFlushed = false
    /// Waiting for an answer that comes later (stop, start, kill): do not read more meanwhile.
    var awaitingAnswer = false
}
