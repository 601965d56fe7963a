import XCTest

@testable import FomCore

/// Every (phase, event) pair of the instance machine, with the phase it leads to: the machine's
/// total table, as s6-supervise keeps one. A pair missing here or leading elsewhere fails.
final class InstanceMachineTableTests: XCTestCase {
    let t0 = Instant(nanoseconds: 1_000_000_000)
    /// Past every deadline the machine can set.
    var late: Instant { t0 + .seconds(3600) }

    static let phases = ["stopped", "waiting", "starting", "online", "stopping", "backoff", "errored", "exited"]
    static let events: [(String, InstanceMachine.Event)] = [
        ("start", .start), ("stop", .stop(by: "user")), ("restart", .restart(by: "user")),
        ("spawned", .spawned(pid: 42)), ("startFailed", .startFailed("port in use")), ("ready", .ready),
        ("exited", .exited(.exited(1))), ("allGone", .allGone), ("deadline", .deadline),
        ("orphansFound", .orphansFound), ("memoryExceeded", .memoryExceeded("RSS 2G over 1G", stable: false)),
    ]

    /// The phase each event leads to, per phase, in the order of `events`.
    static let table: [String: [String]] = [
        "stopped": [
            "waiting", "stopped", "waiting", "stopped", "stopped", "stopped", "stopped", "stopped", "stopped",
            "stopping", "stopped",
        ],
        "waiting": [
            "waiting", "stopped", "waiting", "starting", "errored", "waiting", "waiting", "waiting", "waiting",
            "waiting", "waiting",
        ],
        "starting": [
            "starting", "stopping", "stopping", "starting", "starting", "online", "stopping", "starting", "stopping",
            "starting", "stopping",
        ],
        "online": [
            "online", "stopping", "stopping", "online", "online", "online", "stopping", "online", "online", "online",
            "stopping",
        ],
        "stopping": [
            "stopping", "stopping", "stopping", "stopping", "stopping", "stopping", "stopping", "stopping",
            "stopping", "stopping", "stopping",
        ],
        "backoff": [
            "waiting", "stopped", "waiting", "backoff", "backoff", "backoff", "backoff", "backoff", "waiting",
            "backoff", "backoff",
        ],
        "errored": [
            "waiting", "stopped", "waiting", "errored", "errored", "errored", "errored", "errored", "errored",
            "errored", "errored",
        ],
        "exited": [
            "waiting", "stopped", "waiting", "exited", "exited", "exited", "exited", "exited", "exited", "exited",
            "exited",
        ],
    ]

    func machine(in phase: String) -> InstanceMachine {
        let never = phase == "exited"
        var m = InstanceMachine(
            policy: RestartRules(mode: never ? .never : .always, maxRestarts: 5), readyTimeout: .seconds(60))
        let t = t0
        switch phase {
        case "stopped": break
        case "waiting": _ = m.handle(.start, now: t)
        case "starting":
            _ = m.handle(.start, now: t)
            _ = m.handle(.spawned(pid: 7), now: t)
        case "online", "stopping", "backoff", "exited":
            _ = m.handle(.start, now: t)
            _ = m.handle(.spawned(pid: 7), now: t)
            _ = m.handle(.ready, now: t)
            if phase == "stopping" { _ = m.handle(.stop(by: "user"), now: t) }
            if phase == "backoff" || phase == "exited" {
                _ = m.handle(.exited(.exited(1)), now: t + .milliseconds(1))
                _ = m.handle(.allGone, now: t + .milliseconds(1))
            }
        case "errored":
            _ = m.handle(.start, now: t)
            _ = m.handle(.startFailed("port in use"), now: t)
        default: XCTFail("unknown phase \(phase)")
        }
        XCTAssertEqual(name(m.phase), phase, "could not reach \(phase)")
        return m
    }

    func name(_ phase: InstanceMachine.Phase) -> String {
        switch phase {
        case .stopped: "stopped"
        case .waiting: "waiting"
        case .starting: "starting"
        case .online: "online"
        case .stopping: "stopping"
        case .backoff: "backoff"
        case .errored: "errored"
        case .exited: "exited"
        }
    }

    func testEveryPhaseAndEventPairLeadsToItsDefinedPhase() {
        XCTAssertEqual(Set(Self.table.keys), Set(Self.phases))
        for phase in Self.phases {
            let expected = Self.table[phase]!
            XCTAssertEqual(expected.count, Self.events.count, phase)
            for (index, (eventName, event)) in Self.events.enumerated() {
                var m = machine(in: phase)
                _ = m.handle(event, now: late)
                XCTAssertEqual(name(m.phase), expected[index], "\(phase) + \(eventName)")
            }
        }
    }

    func testNoOpPairsReturnNoActionAndKeepThePhase() {
        for phase in Self.phases {
            for (index, (eventName, event)) in Self.events.enumerated() where Self.table[phase]![index] == phase {
                var m = machine(in: phase)
                let before = m.phase
                let actions = m.handle(event, now: t0)
                // Staying in a phase may still log or signal (a stop while stopping changes what
                // follows); pure no-ops are the pairs that leave the phase equal and say nothing.
                if m.phase == before && actions.isEmpty { continue }
                XCTAssertTrue(
                    ["stopping"].contains(phase) || ["deadline", "exited", "stop"].contains(eventName),
                    "\(phase) + \(eventName) acted without a change: \(actions)")
            }
        }
    }
}
