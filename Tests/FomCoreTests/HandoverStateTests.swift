import XCTest

@testable import FomCore

/// The state `fom upgrade` hands to the next binary: every machine phase and the orchestrator's
/// members come back equal (deadlines as time left, rebuilt on the other clock), and a document
/// of another format or with a wrong checksum is refused whole.
final class HandoverStateTests: XCTestCase {
    let before = Instant(nanoseconds: 50_000_000_000)
    /// The next binary's clock: any value works, only the time left matters.
    let after = Instant(nanoseconds: 90_000_000_000)

    func roundTrip(_ parts: InstanceMachine.Parts) throws -> InstanceMachine.Parts {
        let text = HandoverDocument.encode(parts.json(now: before))
        return try InstanceMachine.Parts(json: HandoverReader(try HandoverDocument.decode(text)), now: after)
    }

    /// The same parts with every instant moved by the clock difference.
    func shifted(_ parts: InstanceMachine.Parts) -> InstanceMachine.Parts {
        let d = after - before
        var p = parts
        p.startedAt = parts.startedAt.map { $0 + d }
        switch parts.phase {
        case .starting(let pid, let readyBy): p.phase = .starting(pid: pid, readyBy: readyBy.map { $0 + d })
        case .online(let pid, let since): p.phase = .online(pid: pid, since: since + d)
        case .stopping(let pid, let then, let killAt, let killed):
            p.phase = .stopping(pid: pid, then: then, killAt: killAt + d, killed: killed)
        case .backoff(let until): p.phase = .backoff(until: until + d)
        default: break
        }
        return p
    }

    func testEveryMachinePhaseComesBackWithItsCountersAndTimeLeft() throws {
        let phases: [InstanceMachine.Phase] = [
            .stopped, .waiting, .starting(pid: 41, readyBy: before + .seconds(7)), .starting(pid: 42, readyBy: nil),
            .online(pid: 43, since: before + .seconds(-30)),
            .stopping(pid: 44, then: .start, killAt: before + .seconds(3), killed: false),
            .stopping(pid: nil, then: .backoff(.milliseconds(1600)), killAt: before + .seconds(5), killed: true),
            .stopping(pid: nil, then: .errored("gave up"), killAt: before, killed: true),
            .stopping(pid: 45, then: .exit, killAt: before, killed: false),
            .stopping(pid: 46, then: .stay, killAt: before, killed: false),
            .backoff(until: before + .milliseconds(2500)), .errored("port 5151 is in use"), .exited,
        ]
        for phase in phases {
            let parts = InstanceMachine.Parts(
                phase: phase, failures: 3, restarts: 7,
                lastExit: ExitRecord(status: .signaled(9), stoppedBy: "user", neededKill: true),
                startedAt: before + .seconds(-2), stopReason: "ready timeout")
            XCTAssertEqual(try roundTrip(parts), shifted(parts), "\(phase)")
        }
        let fresh = InstanceMachine.Parts(
            phase: .backoff(until: before + .seconds(1)), failures: 1, restarts: 1,
            lastExit: ExitRecord(status: .exited(3)),
            startedAt: nil, stopReason: "user")
        XCTAssertEqual(try roundTrip(fresh), shifted(fresh))
    }

    func testRestoredMachineKeepsItsBackoffDeadlineAndBudget() throws {
        var machine = InstanceMachine(
            policy: RestartRules(maxRestarts: 3, backoff: Backoff(initial: .seconds(2), max: .seconds(10))),
            readyTimeout: nil)
        _ = machine.handle(.start, now: before)
        _ = machine.handle(.spawned(pid: 10), now: before)
        _ = machine.handle(.exited(.exited(1)), now: before)
        _ = machine.handle(.allGone, now: before)
        XCTAssertEqual(machine.phase, .backoff(until: before + .seconds(2)))
        var next = InstanceMachine(
            policy: RestartRules(maxRestarts: 3, backoff: Backoff(initial: .seconds(2), max: .seconds(10))),
            readyTimeout: nil)
        next.restore(try roundTrip(machine.parts))
        XCTAssertEqual(next.phase, .backoff(until: after + .seconds(2)))
        XCTAssertEqual(next.restarts, 1)
        XCTAssertEqual(next.failures, 1)
        // The budget goes on where it was: two more failed starts end it.
        XCTAssertEqual(next.handle(.deadline, now: after + .seconds(2)), [.spawn])
        _ = next.handle(.spawned(pid: 11), now: after + .seconds(2))
        _ = next.handle(.exited(.exited(1)), now: after + .seconds(2))
        _ = next.handle(.allGone, now: after + .seconds(2))
        XCTAssertEqual(next.failures, 2)
        _ = next.handle(.deadline, now: after + .seconds(10))
        _ = next.handle(.spawned(pid: 12), now: after + .seconds(10))
        _ = next.handle(.exited(.exited(1)), now: after + .seconds(10))
        _ = next.handle(.allGone, now: after + .seconds(10))
        XCTAssertEqual(next.status, .errored)
    }

    func testOrchestratorMembersComeBackAsTheyWere() throws {
        var o = Orchestrator([
            (0, Orchestrator.Definition(name: "db", dependsOn: []), true),
            (1, Orchestrator.Definition(name: "app", dependsOn: ["db"]), true),
            (2, Orchestrator.Definition(name: "idle", dependsOn: []), false),
        ])
        _ = o.handle(.startup)
        _ = o.handle(.reached(0, .online))
        _ = o.handle(.reached(1, .starting))
        _ = o.handle(.restart([1]))
        let text = HandoverDocument.encode(o.handoverJSON())
        let back = try Orchestrator(handover: HandoverReader(try HandoverDocument.decode(text)))
        XCTAssertEqual(back.memberStates, o.memberStates)
        XCTAssertEqual(back.ids, o.ids)
        XCTAssertEqual(back.shuttingDown, o.shuttingDown)
        // It goes on deciding as the original would.
        var a = o
        var b = back
        XCTAssertEqual(a.handle(.reached(1, .stopping)), b.handle(.reached(1, .stopping)))
        XCTAssertEqual(a.handle(.reached(1, .waiting)), b.handle(.reached(1, .waiting)))
        XCTAssertEqual(a.handle(.shutdown), b.handle(.shutdown))
    }

    func testAnotherFormatIsRefused() {
        let text = HandoverDocument.encode(["a": 1])
        let other = text.replacingOccurrences(of: "fom-handover 1 ", with: "fom-handover 2 ")
        XCTAssertThrowsError(try HandoverDocument.decode(other)) { error in
            XCTAssertEqual("\(error)", "the handed state has format 2; this binary takes format 1")
        }
        XCTAssertThrowsError(try HandoverDocument.decode("{\"a\": 1}")) { error in
            XCTAssertTrue("\(error)".contains("header"), "\(error)")
        }
    }

    func testABodyThatDoesNotMatchItsChecksumIsRefused() {
        let text = HandoverDocument.encode(["restarts": 3])
        let newline = text.firstIndex(of: "\n")!
        let tampered = String(text[...newline]) + text[newline...].dropFirst().replacingOccurrences(of: "3", with: "4")
        XCTAssertThrowsError(try HandoverDocument.decode(tampered)) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
        XCTAssertEqual(try HandoverDocument.decode(text), ["restarts": 3])
    }

    func testAMissingFieldIsNamed() throws {
        let text = HandoverDocument.encode([
            "phase": ["name": "backoff"], "failures": 1, "restarts": 1, "stopReason": "user",
        ])
        XCTAssertThrowsError(
            try InstanceMachine.Parts(json: HandoverReader(try HandoverDocument.decode(text)), now: after)
        ) {
            XCTAssertEqual("\($0)", "state.phase.retryInNs is not a number")
        }
    }
}
