/// The instance keys an export cannot carry over, each said once on stderr rather than dropped.
/// Only keys that differ from fom's default are named: a default is not something the user asked for.
enum UnmappedKeys {
    enum Target { case kubernetes, compose }

    static func warnings(_ instance: ExportedInstance, plan: ExportPlan, target: Target) -> [String] {
        let config = instance.config
        let defaults = InstanceConfig(name: config.name, kind: config.kind, configDirectory: config.configDirectory)
        let name = config.name
        var out: [String] = []
        let retries =
            target == .kubernetes
            ? "Kubernetes restarts a failing container without limit, waiting 10 s doubling up to 5 min"
            : "docker restarts a failing container with its own backoff"
        switch target {
        case .kubernetes:
            if config.restart != .always {
                out.append(
                    "\(name): restart \"\(config.restart.rawValue)\" has no equivalent: the pods of a \(instance.dataDirectory == nil ? "Deployment" : "StatefulSet") are always restarted"
                )
            }
            if config.maxRestarts != defaults.maxRestarts {
                out.append("\(name): maxRestarts \(config.maxRestarts) has no equivalent: \(retries)")
            }
            if config.stopSignal != defaults.stopSignal {
                out.append(
                    "\(name): stopSignal \(config.stopSignal.name) has no equivalent: Kubernetes stops with the image's STOPSIGNAL (SIGTERM unless the image says otherwise)"
                )
            }
        case .compose:
            if config.maxRestarts != defaults.maxRestarts && config.restart != .onFailure {
                out.append(
                    "\(name): maxRestarts \(config.maxRestarts) has no equivalent with restart \"\(config.restart.rawValue)\": \(retries)"
                )
            }
        }
        if config.minUptime != defaults.minUptime {
            out.append("\(name): minUptime \(DurationText.format(config.minUptime)) has no equivalent: \(retries)")
        }
        if config.backoff != defaults.backoff {
            out.append(
                "\(name): backoff {initial: \(DurationText.format(config.backoff.initial)), max: \(DurationText.format(config.backoff.max))} has no equivalent: \(retries)"
            )
        }
        if case .http = config.ready, config.port == nil {
            out.append("\(name): ready {\"http\": ...} without a port has no equivalent: no probe is written")
        }
        for dependency in config.dependsOn {
            guard let other = plan.instances.first(where: { $0.config.name == dependency }), other.servicePort == nil
            else { continue }
            out.append(
                target == .kubernetes
                    ? "\(name): dependsOn \(dependency): it has no port, so there is no Service to wait for; the start order is not enforced"
                    : "\(name): dependsOn \(dependency): it has no ready check, so compose waits only until it has started"
            )
        }
        return out
    }
}
