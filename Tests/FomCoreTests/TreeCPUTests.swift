import XCTest

@testable import FomCore

/// The cpu column: ticks gained between two looks at a process tree, as a percentage of a core.
final class TreeCPUTests: XCTestCase {
    func p(_ pid: Int32, _ start: UInt64 = 1) -> TreeCPU.Process { TreeCPU.Process(pid: pid, startTime: start) }

    func testProcessesSeenTwiceCountWhatTheyGained() {
        XCTAssertEqual(TreeCPU.ticksUsed(previous: [p(1): 100, p(2): 50], current: [p(1): 180, p(2): 55]), 85)
    }

    func testProcessThatAppearedCountsEverythingItUsed() {
        XCTAssertEqual(TreeCPU.ticksUsed(previous: [p(1): 100], current: [p(1): 110, p(3): 40]), 50)
    }

    func testReusedPidIsANewProcess() {
        // Same pid, another start time: not a process whose counter went down.
        XCTAssertEqual(TreeCPU.ticksUsed(previous: [p(7, 1): 500], current: [p(7, 2): 30]), 30)
    }

    func testEndedProcessAndShrinkingCounterCountNothing() {
        XCTAssertEqual(TreeCPU.ticksUsed(previous: [p(1): 100, p(2): 80], current: [p(1): 90]), 0)
    }

    func testPercentOfOneCoreToATenth() {
        // 100 ticks per second: 95 ticks in one second is 95 %, 250 in two seconds is 125 % (threads).
        XCTAssertEqual(TreeCPU.percent(ticks: 95, ticksPerSecond: 100, elapsedNanoseconds: 1_000_000_000), 95.0)
        XCTAssertEqual(TreeCPU.percent(ticks: 250, ticksPerSecond: 100, elapsedNanoseconds: 2_000_000_000), 125.0)
        XCTAssertEqual(TreeCPU.percent(ticks: 1, ticksPerSecond: 100, elapsedNanoseconds: 3_000_000_000), 0.3)
        XCTAssertEqual(TreeCPU.percent(ticks: 0, ticksPerSecond: 100, elapsedNanoseconds: 1_000_000_000), 0.0)
    }

    func testNoPercentWithoutAnInterval() {
        XCTAssertNil(TreeCPU.percent(ticks: 5, ticksPerSecond: 100, elapsedNanoseconds: 0))
    }
}
