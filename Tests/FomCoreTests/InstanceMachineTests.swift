import XCTest

@testable import FomCore

/// One test per (state, event) pair that matters; time is passed in, so nothing sleeps.
final class InstanceMachineTests: XCTestCase {
    let t0 = Instant(nanoseconds: 1_000_000_000)

    func at(_ ms: Int64) -> Instant { t0 + .milliseconds(ms) }

    func machine(
        _ policy: RestartRules = RestartRules(), ready: Duration? = .seconds(60),
        killTimeout: Duration = .seconds(10)
    ) -> InstanceMachine {
        InstanceMachine(policy: policy, killTimeout: killTimeout, readyTimeout: ready)
    }

    /// Starts and makes the machine online with pid at time `ms`.
    func online(_ m: inout InstanceMachine, pid: Int32 = 100, at ms: Int64 = 0) {
        XCTAssertEqual(m.handle(.start, now: at(ms)), [.spawn])
        _ = m.handle(.spawned(pid: pid), now: at(ms))
        if m.readyTimeout != nil { _ = m.handle(.ready, now: at(ms)) }
        XCTAssertEqual(m.status, .online)
    }

    func testStartWaitsForReadyCheckThenOnline() {
        var m = machine()
        XCTAssertEqual(m.handle(.start, now: at(0)), [.spawn])
        XCTAssertEqual(m.status, .starting)
        XCTAssertEqual(m.handle(.spawned(pid: 7), now: at(0)), [.startReadyCheck, .log("started pid 7")])
        XCTAssertEqual(m.phase, .starting(pid: 7, readyBy: at(60_000)))
        XCTAssertEqual(m.deadline, at(60_000))
        _ = m.handle(.ready, now: at(500))
        XCTAssertEqual(m.phase, .online(pid: 7, since: at(500)))
        XCTAssertNil(m.deadline, "online waits for nothing timed")
    }

    func testNoReadyCheckMeansOnlineAtSpawn() {
        var m = machine(ready: nil)
        _ = m.handle(.start, now: at(0))
        _ = m.handle(.spawned(pid: 9), now: at(0))
        XCTAssertEqual(m.phase, .online(pid: 9, since: at(0)))
    }

    func testStableCrashRestartsAtOnceWithFreshBudget() {
        var m = machine()
        online(&m)
        let actions = m.handle(.exited(.signaled(9)), now: at(6000))
        XCTAssertEqual(actions.first, .recordExit(ExitRecord(status: .signaled(9))))
        XCTAssertEqual(actions.last, .collectLeftovers(signal: .kill))
        XCTAssertEqual(m.status, .stopping)
        XCTAssertEqual(m.handle(.allGone, now: at(6000)), [.spawn], "no delay after a stable run")
        XCTAssertEqual(m.status, .starting)
        XCTAssertEqual(m.restarts, 1)
        XCTAssertEqual(m.failures, 0)
    }

    func testFailedStartBacksOffExponentiallyThenErrors() {
        var m = machine(
            RestartRules(maxRestarts: 4, backoff: Backoff(initial: .milliseconds(100), max: .milliseconds(250))))
        _ = m.handle(.start, now: at(0))
        var now: Int64 = 0
        var delays: [Int64] = []
        for attempt in 1...4 {
            _ = m.handle(.spawned(pid: Int32(attempt)), now: at(now))
            _ = m.handle(.exited(.exited(1)), now: at(now))
            _ = m.handle(.allGone, now: at(now))
            if case .backoff(let until) = m.phase {
                delays.append((until - at(now)).milliseconds)
                now = (until - t0).milliseconds
                XCTAssertEqual(m.handle(.deadline, now: until), [.spawn])
            }
        }
        XCTAssertEqual(delays, [100, 200, 250], "initial × 2^(n-1), capped at max")
        XCTAssertEqual(m.status, .errored)
        XCTAssertEqual(m.erroredReason, "gave up after 4 failed starts in a row (last: exited with code 1)")
    }

    func testCrashWithinMinUptimeCountsAsFailedStart() {
        var m = machine()
        online(&m)
        _ = m.handle(.exited(.exited(3)), now: at(1000))
        XCTAssertEqual(m.failures, 1)
        _ = m.handle(.allGone, now: at(1000))
        XCTAssertEqual(m.phase, .backoff(until: at(1100)))
    }

    func testStopDuringBackoffCancelsRetry() {
        var m = machine()
        online(&m)
        _ = m.handle(.exited(.exited(1)), now: at(10))
        _ = m.handle(.allGone, now: at(10))
        XCTAssertEqual(m.status, .backoff)
        _ = m.handle(.stop(by: "user"), now: at(20))
        XCTAssertEqual(m.phase, .stopped)
        XCTAssertNil(m.deadline)
        XCTAssertEqual(m.handle(.deadline, now: at(10_000)), [], "the cancelled retry never fires")
    }

    func testStopThatNeedsSigkill() {
        var m = machine(killTimeout: .seconds(2))
        online(&m, pid: 50)
        XCTAssertEqual(m.handle(.stop(by: "user"), now: at(0)).first, .signalGroup(pid: 50, signal: .term))
        XCTAssertEqual(m.deadline, at(2000))
        XCTAssertEqual(m.handle(.deadline, now: at(1999)), [], "not before the deadline")
        XCTAssertEqual(m.handle(.deadline, now: at(2000)).first, .killAll(pid: 50))
        let actions = m.handle(.exited(.signaled(9)), now: at(2001))
        let record = ExitRecord(status: .signaled(9), stoppedBy: "user", neededKill: true)
        XCTAssertEqual(actions.first, .recordExit(record))
        XCTAssertEqual(record.description, "stopped by fom (user), needed SIGKILL: killed by signal 9 (SIGKILL)")
        XCTAssertEqual(actions.last, .collectLeftovers(signal: .kill))
        _ = m.handle(.allGone, now: at(2002))
        XCTAssertEqual(m.phase, .stopped)
        XCTAssertEqual(m.restarts, 0, "a stop is not a restart")
    }

    func testGracefulStopRecordsNoSignalThatWasNotThere() {
        var m = machine()
        online(&m)
        _ = m.handle(.stop(by: "user"), now: at(0))
        _ = m.handle(.exited(.exited(0)), now: at(10))
        XCTAssertEqual(m.lastExit?.description, "stopped by fom (user): exited with code 0")
    }

    func testLeftoversKeepStopGoingUntilAllGone() {
        var m = machine()
        online(&m)
        _ = m.handle(.stop(by: "user"), now: at(0))
        XCTAssertEqual(m.handle(.exited(.exited(0)), now: at(5)).last, .collectLeftovers(signal: .term))
        XCTAssertEqual(m.status, .stopping, "a grandchild may still run")
        XCTAssertEqual(m.handle(.deadline, now: at(10_000)).first, .killAll(pid: nil), "the main process is gone")
        _ = m.handle(.allGone, now: at(10_001))
        XCTAssertEqual(m.status, .stopped)
    }

    func testCrashWhileStoppingIsRecordedAsStopNotRestarted() {
        var m = machine()
        online(&m)
        _ = m.handle(.stop(by: "user"), now: at(0))
        _ = m.handle(.exited(.signaled(11)), now: at(1))
        XCTAssertEqual(m.lastExit, ExitRecord(status: .signaled(11), stoppedBy: "user"))
        _ = m.handle(.allGone, now: at(2))
        XCTAssertEqual(m.phase, .stopped)
        XCTAssertEqual(m.restarts, 0)
    }

    func testReadyTimeoutIsAFailedStart() {
        var m = machine(ready: .seconds(1))
        _ = m.handle(.start, now: at(0))
        _ = m.handle(.spawned(pid: 5), now: at(0))
        let actions = m.handle(.deadline, now: at(1000))
        XCTAssertEqual(actions.first, .signalGroup(pid: 5, signal: .term))
        XCTAssertEqual(m.failures, 1)
        _ = m.handle(.exited(.exited(0)), now: at(1001))
        XCTAssertEqual(m.lastExit?.stoppedBy, "ready timeout")
        _ = m.handle(.allGone, now: at(1002))
        XCTAssertEqual(m.status, .backoff)
    }

    func testRestartNeverEndsExited() {
        var m = machine(RestartRules(mode: .never))
        online(&m)
        _ = m.handle(.exited(.exited(1)), now: at(10_000))
        _ = m.handle(.allGone, now: at(10_000))
        XCTAssertEqual(m.phase, .exited)
    }

    func testOnFailureRestartsOnlyOnFailure() {
        var ok = machine(RestartRules(mode: .onFailure))
        online(&ok)
        _ = ok.handle(.exited(.exited(0)), now: at(10_000))
        _ = ok.handle(.allGone, now: at(10_000))
        XCTAssertEqual(ok.phase, .exited)

        var bad = machine(RestartRules(mode: .onFailure))
        online(&bad)
        _ = bad.handle(.exited(.signaled(6)), now: at(10_000))
        XCTAssertEqual(bad.handle(.allGone, now: at(10_000)), [.spawn])
    }

    func testRestartByUserStopsThenStarts() {
        var m = machine()
        online(&m)
        XCTAssertEqual(m.handle(.restart(by: "user"), now: at(0)).first, .signalGroup(pid: 100, signal: .term))
        _ = m.handle(.exited(.exited(0)), now: at(1))
        XCTAssertEqual(m.handle(.allGone, now: at(2)), [.spawn])
        XCTAssertEqual(m.restarts, 0, "a restart asked for is not counted as a crash")
    }

    func testStartDuringStopComesBackUp() {
        var m = machine()
        online(&m)
        _ = m.handle(.stop(by: "user"), now: at(0))
        XCTAssertEqual(m.handle(.start, now: at(1)), [])
        _ = m.handle(.exited(.exited(0)), now: at(2))
        XCTAssertEqual(m.handle(.allGone, now: at(3)), [.spawn])
    }

    func testStopDuringGiveUpKeepsStop() {
        var m = machine(RestartRules(maxRestarts: 1))
        online(&m)
        _ = m.handle(.exited(.exited(1)), now: at(1))
        _ = m.handle(.stop(by: "user"), now: at(2))
        _ = m.handle(.allGone, now: at(3))
        XCTAssertEqual(m.phase, .stopped)
    }

    func testStartFailedIsErroredWithReason() {
        var m = machine()
        _ = m.handle(.start, now: at(0))
        _ = m.handle(.startFailed("port 5151 is in use by PID 42 (python3 -m http.server)"), now: at(0))
        XCTAssertEqual(m.erroredReason, "port 5151 is in use by PID 42 (python3 -m http.server)")
        XCTAssertEqual(m.handle(.start, now: at(1)), [.spawn], "a start by the user tries again")
    }

    func testSomethingSurvivingSigkillEndsErrored() {
        var m = machine(killTimeout: .seconds(1))
        online(&m, pid: 77)
        _ = m.handle(.stop(by: "user"), now: at(0))
        _ = m.handle(.deadline, now: at(1000))
        _ = m.handle(.deadline, now: at(6000))
        XCTAssertEqual(m.erroredReason, "pid 77 survived SIGKILL")
    }

    func testOrphansOfEarlierRunAreStoppedFirst() {
        var m = machine()
        XCTAssertEqual(m.handle(.orphansFound, now: at(0)).last, .collectLeftovers(signal: .term))
        XCTAssertEqual(m.handle(.start, now: at(0)), [])
        XCTAssertEqual(m.handle(.allGone, now: at(5)), [.spawn])
    }

    func testMemoryLimitRestartsAndIsRecordedAsSuch() {
        var m = machine()
        online(&m, pid: 12)
        let limit = InstanceMachine.Event.memoryExceeded("RSS 61M over 30M", stable: true)
        let actions = m.handle(limit, now: at(6000))
        XCTAssertEqual(actions.first, .signalGroup(pid: 12, signal: .term))
        XCTAssertEqual(
            actions.last, .log("stopping pid 12 with SIGTERM (memory limit: RSS 61M over 30M); restarting now"))
        _ = m.handle(.exited(.signaled(15)), now: at(6005))
        XCTAssertEqual(
            m.lastExit?.description,
            "stopped by fom (memory limit: RSS 61M over 30M): killed by signal 15 (SIGTERM)")
        XCTAssertEqual(m.handle(.allGone, now: at(6006)), [.spawn], "a stable run comes back at once")
        XCTAssertEqual(m.restarts, 1)
        XCTAssertEqual(
            m.handle(.memoryExceeded("x", stable: true), now: at(6007)), [], "nothing to restart while waiting to start"
        )
    }

    func testMemoryLimitLoopBacksOffThenErrors() {
        var m = machine(RestartRules(maxRestarts: 2))
        online(&m)
        // Over the limit within minUptime: a failed start, with backoff.
        _ = m.handle(.memoryExceeded("RSS 90M over 40M", stable: false), now: at(100))
        _ = m.handle(.exited(.signaled(15)), now: at(101))
        _ = m.handle(.allGone, now: at(102))
        XCTAssertEqual(m.phase, .backoff(until: at(202)))
        _ = m.handle(.deadline, now: at(202))
        _ = m.handle(.spawned(pid: 2), now: at(202))
        _ = m.handle(.ready, now: at(202))
        // Long past minUptime, but never seen under the limit: still a start that fails this way.
        _ = m.handle(.memoryExceeded("RSS 90M over 40M", stable: false), now: at(60_000))
        _ = m.handle(.exited(.signaled(15)), now: at(60_001))
        _ = m.handle(.allGone, now: at(60_002))
        XCTAssertEqual(m.erroredReason, "gave up after 2 failed starts in a row (last: memory limit, RSS 90M over 40M)")
    }

    func testMemoryLimitWithRestartNeverEndsExited() {
        var m = machine(RestartRules(mode: .never))
        online(&m)
        _ = m.handle(.memoryExceeded("RSS 90M over 40M", stable: true), now: at(10_000))
        _ = m.handle(.exited(.signaled(15)), now: at(10_001))
        _ = m.handle(.allGone, now: at(10_002))
        XCTAssertEqual(m.phase, .exited)
    }

    func testReadyTimeoutWithRestartNeverIsErroredNotRetried() {
        var m = machine(RestartRules(mode: .never), ready: .seconds(1))
        _ = m.handle(.start, now: at(0))
        _ = m.handle(.spawned(pid: 5), now: at(0))
        _ = m.handle(.deadline, now: at(1000))
        _ = m.handle(.exited(.signaled(15)), now: at(1001))
        _ = m.handle(.allGone, now: at(1002))
        XCTAssertEqual(m.erroredReason, "not ready within 1s")
        XCTAssertEqual(m.restarts, 0)
    }

    func testDelayTable() {
        let p = RestartRules(backoff: Backoff(initial: .milliseconds(100), max: .seconds(30)))
        XCTAssertEqual(
            (1...10).map { p.delay(afterFailures: $0).milliseconds },
            [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000])
    }

    func testDurationsReadWell() {
        XCTAssertEqual(Duration.milliseconds(250).humanReadable, "250ms")
        XCTAssertEqual(Duration.milliseconds(1500).humanReadable, "1.5s")
        XCTAssertEqual(Duration.seconds(150).humanReadable, "2m30s")
    }
}
