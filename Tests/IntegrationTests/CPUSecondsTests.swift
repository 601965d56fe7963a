import Foundation
import XCTest

/// `cpuSeconds`, the counter behind /metrics' `fom_instance_cpu_seconds_total`: the CPU time of
/// an instance's tree summed by the daemon's samples, growing as a busy child runs.
final class CPUSecondsTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testABusyChildsCPUSecondsGrowAndNeverGoBack() throws {
        let h = try FomHarness(
            config: """
                {"instances": [{"name": "busy", "kind": "process", "command": ["/bin/sh", "-c", "while :; do :; done"]}]}

                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        func seconds() -> Double? { h.list()["busy"]?["cpuSeconds"] as? Double }
        _ = h.waitUntil("a first cpuSeconds") { seconds() != nil }
        let first = seconds() ?? 0
        var values: [Double] = []
        _ = h.waitUntil("cpuSeconds grows by half a second") {
            let value = seconds() ?? 0
            values.append(value)
            return value >= first + 0.5
        }
        XCTAssertEqual(values, values.sorted(), "a counter never goes back")
    }
}
