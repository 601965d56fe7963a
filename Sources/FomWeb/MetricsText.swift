import FomProtocol

/// `/metrics` in Prometheus' text exposition format (version 0.0.4), from the daemon's rows.
/// cpu: `fom_instance_cpu_seconds_total` is the daemon's sum of what each sample saw the tree
/// use; `fom_instance_cpu_percent` is the percentage of the last interval, as `fom list` shows.
public enum MetricsText {
    public static func render(_ rows: [InstanceInfo], nowMs: Int64) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ value: (InstanceInfo) -> Double?) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for row in rows {
                guard let v = value(row) else { continue }
                out += "\(name){name=\"\(escape(row.name))\",kind=\"\(escape(row.kind))\"} \(number(v))\n"
            }
        }
        family("fom_instance_up", "gauge", "1 when the instance is online, else 0.") { $0.status == .online ? 1 : 0 }
        family("fom_instance_restarts_total", "counter", "Restarts of the instance since the daemon started.") {
            Double($0.restarts)
        }
        family(
            "fom_instance_cpu_seconds_total", "counter",
            "CPU seconds the whole process tree used since the daemon started, as sampled."
        ) { $0.cpuSeconds }
        family(
            "fom_instance_cpu_percent", "gauge",
            "CPU of the whole process tree, percent of one core, over the daemon's last sample interval."
        ) { $0.cpuPercent }
        family("fom_instance_memory_bytes", "gauge", "Resident memory of the whole process tree in bytes.") {
            $0.memoryBytes.map(Double.init)
        }
        family(
            "fom_instance_start_time_seconds", "gauge", "Unix time the running process started (became online)."
        ) { row in
            guard row.pid != nil, let uptime = row.uptimeMs else { return nil }
            return Double(nowMs - Int64(uptime)) / 1000
        }
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}
