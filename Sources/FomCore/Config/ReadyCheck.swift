/// How the supervisor knows a started instance is up: `online` only once this passes.
public enum ReadyCheck: Sendable, Equatable {
    /// Ready as soon as it is spawned (`"ready": false`).
    case none
    /// HTTP 200 on `http://127.0.0.1:PORT/PATH`, PORT being the instance's port.
    case http(path: String)
    /// A TCP connect to `127.0.0.1:PORT` succeeds.
    case tcp(port: Int)
}
