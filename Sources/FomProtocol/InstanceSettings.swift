import FomCore

/// The settings rows of `fom describe`, rendered from an instance's config. The daemon sends
/// them with its describe answer, so that `describe` still shows them when supervisor.json no
/// longer parses and only the daemon knows the config it runs.
public enum InstanceSettings {
    public static func rows(_ config: InstanceConfig) -> [(key: String, value: String)] {
        [
            ("cwd", config.cwd),
            ("port", config.port.map { "\($0) on \(config.address)" } ?? "-"),
            ("ready check", ready(config)),
            (
                "restart",
                "\(config.restart.rawValue), maxRestarts \(config.maxRestarts), minUptime \(DurationText.format(config.minUptime)), backoff \(DurationText.format(config.backoff.initial))..\(DurationText.format(config.backoff.max))"
            ),
            ("stop", "\(config.stopSignal.name), SIGKILL after \(DurationText.format(config.killTimeout))"),
            (
                "memory limit",
                config.maxMemory.map { "\(SizeText.format($0)) for the whole tree, checked every 3s" } ?? "-"
            ),
            ("depends on", config.dependsOn.isEmpty ? "-" : config.dependsOn.joined(separator: ", ")),
            ("cvat sync", config.cvatSync ? "on" : "off"),
        ]
    }

    public static func ready(_ config: InstanceConfig) -> String {
        switch config.ready {
        case .none: return "none (online once running)"
        case .http(let path):
            return
                "GET http://\(config.address):\(config.port ?? 0)\(path) answers 200 within \(DurationText.format(config.readyTimeout))"
        case .tcp(let port): return "TCP connect to port \(port) within \(DurationText.format(config.readyTimeout))"
        }
    }

    public static func json(_ config: InstanceConfig) -> JSONValue {
        .object(JSONObject(rows(config).map { (key: $0.key, value: JSONValue.string($0.value)) }))
    }
}
