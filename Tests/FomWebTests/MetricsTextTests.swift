import FomProtocol
import FomWeb
import XCTest

final class MetricsTextTests: XCTestCase {
    func testMetricsAreLabelledByNameAndKind() {
        let rows = [
            InstanceInfo(
                id: 0, name: "annotate", kind: "fiftyone", status: .online, pid: 12, uptimeMs: 5000, restarts: 2,
                cpuPercent: 1.5, memoryBytes: 1024, cpuSeconds: 2.25),
            InstanceInfo(id: 1, name: "we\"ird", kind: "process", status: .stopped),
        ]
        let text = MetricsText.render(rows, nowMs: 1_000_000)
        XCTAssertTrue(text.contains("fom_instance_up{name=\"annotate\",kind=\"fiftyone\"} 1\n"))
        XCTAssertTrue(text.contains("fom_instance_up{name=\"we\\\"ird\",kind=\"process\"} 0\n"))
        XCTAssertTrue(text.contains("fom_instance_restarts_total{name=\"annotate\",kind=\"fiftyone\"} 2\n"))
        XCTAssertTrue(text.contains("fom_instance_memory_bytes{name=\"annotate\",kind=\"fiftyone\"} 1024\n"))
        XCTAssertTrue(text.contains("fom_instance_start_time_seconds{name=\"annotate\",kind=\"fiftyone\"} 995\n"))
        XCTAssertTrue(text.contains("fom_instance_cpu_percent{name=\"annotate\",kind=\"fiftyone\"} 1.5\n"))
        XCTAssertTrue(text.contains("# TYPE fom_instance_cpu_seconds_total counter\n"))
        XCTAssertTrue(text.contains("fom_instance_cpu_seconds_total{name=\"annotate\",kind=\"fiftyone\"} 2.25\n"))
        XCTAssertFalse(text.contains("fom_instance_memory_bytes{name=\"we"))
    }
}
