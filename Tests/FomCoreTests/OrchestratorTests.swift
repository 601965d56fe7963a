import XCTest

@testable import FomCore

/// The orchestrator driven with fake instances: each has a real `InstanceMachine`, and a small
/// world that answers its actions at once (a spawn succeeds unless told otherwise, a signalled
/// process exits, leftovers are gone). The queue works as the daemon's does: one item at a time,
/// in order, the orchestrator told the condition after every machine event.
final class OrchestratorTests: XCTestCase {
    struct World {
        enum Work {
            case machine(Int, InstanceMachine.Event)
            case orchestrate(Orchestrator.Event)
            case spawn(Int)
        }

        var orchestrator: Orchestrator
        var machines: [Int: InstanceMachine] = [:]
        var names: [Int: String] = [:]
        /// Instances whose spawn fails (a port in use, say).
        var failing: Set<String> = []
        /// Instances that stay `starting` (their ready check never passes by itself).
        var slow: Set<String> = []
        /// What happened, in order: "spawn a", "stop a", "replace a", "forget a", "finished".
        var log: [String] = []
        var queue: [Work] = []
        var nextPid: Int32 = 100
        let now = Instant(nanoseconds: 1_000_000_000)

        init(_ instances: [(String, [String])], wantedUp: Bool = true, slow: Set<String> = []) {
            var members: [(id: Int, definition: Orchestrator.Definition, wantedUp: Bool)] = []
            for (id, (name, dependsOn)) in instances.enumerated() {
                members.append((id, Orchestrator.Definition(name: name, dependsOn: dependsOn), wantedUp))
                names[id] = name
            }
            orchestrator = Orchestrator(members)
            self.slow = slow
            for (id, name) in names { machines[id] = Self.machine(slow: slow.contains(name)) }
        }

        static func machine(slow: Bool) -> InstanceMachine {
            InstanceMachine(
                policy: RestartRules(maxRestarts: 3), killTimeout: .seconds(10),
                readyTimeout: slow ? .seconds(60) : nil)
        }

        func id(_ name: String) -> Int { names.first { $0.value == name }!.key }
        func status(_ name: String) -> InstanceStatus { machines[id(name)]!.status }

        mutating func send(_ event: Orchestrator.Event) {
            if case .reload(let reload) = event {
                // The daemon makes the added instances before it tells the orchestrator.
                for (id, definition, _) in reload.added {
                    names[id] = definition.name
                    machines[id] = Self.machine(slow: slow.contains(definition.name))
                }
            }
            queue.append(.orchestrate(event))
            drain()
        }

        /// An event from the outside world for one instance (a crash, a ready check passing).
        mutating func happen(_ name: String, _ event: InstanceMachine.Event) {
            queue.append(.machine(id(name), event))
            drain()
        }

        mutating func drain() {
            while !queue.isEmpty {
                let work = queue.removeFirst()
                switch work {
                case .orchestrate(let event):
                    for directive in orchestrator.handle(event) { direct(directive) }
                case .spawn(let id):
                    if failing.contains(names[id]!) {
                        queue.append(.machine(id, .startFailed("port in use")))
                    } else {
                        log.append("spawn \(names[id]!)")
                        nextPid += 1
                        queue.append(.machine(id, .spawned(pid: nextPid)))
                    }
                case .machine(let id, let event):
                    guard var machine = machines[id] else { continue }
                    let actions = machine.handle(event, now: now)
                    machines[id] = machine
                    for action in actions { perform(action, id) }
                    queue.append(.orchestrate(.reached(id, Self.condition(machine.phase))))
                }
            }
        }

        mutating func direct(_ directive: Orchestrator.Directive) {
            switch directive {
            case .machine(let id, let event): queue.append(.machine(id, event))
            case .spawn(let id): queue.append(.spawn(id))
            case .wanted, .waitingFor: break
            case .replace(let id):
                log.append("replace \(names[id]!)")
                machines[id] = Self.machine(slow: slow.contains(names[id]!))
            case .forget(let id):
                log.append("forget \(names[id]!)")
                machines[id] = nil
            case .finished: log.append("finished")
            }
        }

        mutating func perform(_ action: InstanceMachine.Action, _ id: Int) {
            switch action {
            case .signalGroup:
                // The process obeys the stop signal.
                log.append("stop \(names[id]!)")
                queue.append(.machine(id, .exited(.signaled(15))))
            case .collectLeftovers: queue.append(.machine(id, .allGone))
            case .killAll, .spawn, .startReadyCheck, .recordExit, .log: break
            }
        }

        static func condition(_ phase: InstanceMachine.Phase) -> Orchestrator.Condition {
            switch phase {
            case .stopped: .stopped
            case .waiting: .waiting
            case .starting: .starting
            case .online: .online
            case .stopping: .stopping
            case .backoff: .backoff
            case .errored: .errored
            case .exited: .exited
            }
        }

        func index(_ entry: String) -> Int { log.firstIndex(of: entry) ?? Int.max }
    }

    // MARK: - Start order

    func testAThousandDeepChainComesFullyOnlineDeepestFirst() {
        // i depends on i+1: the last one starts first.
        let count = 1000
        var world = World((0..<count).map { ("n\($0)", $0 + 1 < count ? ["n\($0 + 1)"] : []) })
        world.send(.startup)
        XCTAssertEqual((0..<count).filter { world.status("n\($0)") == .online }.count, count)
        XCTAssertEqual(world.log.first, "spawn n\(count - 1)")
        XCTAssertEqual(world.log.last, "spawn n0")
    }

    func testDiamondStartsDependenciesFirstAndStopsDependentsFirst() {
        var world = World([("top", ["left", "right"]), ("left", ["base"]), ("right", ["base"]), ("base", [])])
        world.send(.startup)
        for name in ["top", "left", "right", "base"] { XCTAssertEqual(world.status(name), .online) }
        XCTAssertLessThan(world.index("spawn base"), world.index("spawn left"))
        XCTAssertLessThan(world.index("spawn base"), world.index("spawn right"))
        XCTAssertLessThan(world.index("spawn left"), world.index("spawn top"))
        XCTAssertLessThan(world.index("spawn right"), world.index("spawn top"))

        world.send(.shutdown)
        XCTAssertLessThan(world.index("stop top"), world.index("stop left"))
        XCTAssertLessThan(world.index("stop top"), world.index("stop right"))
        XCTAssertLessThan(world.index("stop left"), world.index("stop base"))
        XCTAssertLessThan(world.index("stop right"), world.index("stop base"))
        XCTAssertEqual(world.log.last, "finished")
        for name in ["top", "left", "right", "base"] { XCTAssertEqual(world.status(name), .stopped) }
    }

    func testADependencyThatFailsFailsItsDependentsWithTheReason() {
        var world = World([("app", ["db"]), ("db", [])])
        world.failing = ["db"]
        world.send(.startup)
        XCTAssertEqual(world.status("db"), .errored)
        XCTAssertEqual(world.status("app"), .errored)
        XCTAssertEqual(world.machines[world.id("app")]!.erroredReason, "dependency db is errored")
        XCTAssertFalse(world.log.contains("spawn app"))
    }

    func testADependentWaitsWhileItsDependencyIsStarting() {
        var world = World([("app", ["db"]), ("db", [])], slow: ["db"])
        world.send(.startup)
        XCTAssertEqual(world.status("db"), .starting)
        XCTAssertEqual(world.status("app"), .starting, "waiting, shown as starting")
        XCTAssertFalse(world.log.contains("spawn app"))
        world.happen("db", .ready)
        XCTAssertEqual(world.status("app"), .online)
    }

    func testStartAlsoStartsWhatTheTargetsDependOn() {
        var world = World([("app", ["db"]), ("db", []), ("other", [])], wantedUp: false)
        world.send(.startup)
        XCTAssertTrue(world.log.isEmpty)
        world.send(.start([world.id("app")]))
        XCTAssertEqual(world.status("db"), .online)
        XCTAssertEqual(world.status("app"), .online)
        XCTAssertEqual(world.status("other"), .stopped)
        XCTAssertTrue(world.orchestrator.wantedUp(world.id("db")))
    }

    // MARK: - Stop and restart

    func testAStopThatOvertakesAStartEndsStopped() {
        var world = World([("app", [])], wantedUp: false, slow: ["app"])
        world.send(.start([0]))
        XCTAssertEqual(world.status("app"), .starting)
        world.send(.stop([0]))
        XCTAssertEqual(world.status("app"), .stopped)
        XCTAssertFalse(world.orchestrator.wantedUp(0))
        XCTAssertFalse(world.orchestrator.isBusy(0))
    }

    func testAStartThatOvertakesAStopComesBackUp() {
        var world = World([("app", [])])
        world.send(.startup)
        // Both words in one pass, as two pipelined requests: the start wins.
        for directive in world.orchestrator.handle(.stop([0])) { world.direct(directive) }
        for directive in world.orchestrator.handle(.start([0])) { world.direct(directive) }
        world.drain()
        XCTAssertEqual(world.status("app"), .online)
        XCTAssertTrue(world.orchestrator.wantedUp(0))
    }

    func testStoppingADependencyAloneLeavesItsDependentsRunning() {
        var world = World([("app", ["db"]), ("db", [])])
        world.send(.startup)
        world.send(.stop([world.id("db")]))
        XCTAssertEqual(world.status("db"), .stopped)
        XCTAssertEqual(world.status("app"), .online)
    }

    func testStoppingSeveralGoesDependentsFirst() {
        var world = World([("db", []), ("app", ["db"])])
        world.send(.startup)
        world.send(.stop([0, 1]))
        XCTAssertLessThan(world.index("stop app"), world.index("stop db"))
        XCTAssertEqual(world.status("app"), .stopped)
        XCTAssertEqual(world.status("db"), .stopped)
    }

    func testRestartOfSeveralStopsDependentsFirstAndComesBackInDependencyOrder() {
        var world = World([("db", []), ("app", ["db"])])
        world.send(.startup)
        world.log = []
        world.send(.restart([0, 1]))
        XCTAssertEqual(world.log, ["stop app", "stop db", "spawn db", "spawn app"])
        XCTAssertFalse(world.orchestrator.isBusy(0))
        XCTAssertFalse(world.orchestrator.isBusy(1))
    }

    func testRestartStartsADependencyThatIsDownInsteadOfRestartingIt() {
        var world = World([("db", []), ("app", ["db"])])
        world.send(.startup)
        world.send(.stop([0]))
        world.log = []
        world.send(.restart([1]))
        XCTAssertEqual(world.log, ["stop app", "spawn db", "spawn app"])
    }

    // MARK: - Shutdown

    func testShutdownCancelsBackoffAndStopsWaitingInstances() {
        var world = World([("db", []), ("app", ["db"])], slow: ["db"])
        world.send(.startup)
        world.send(.shutdown)
        XCTAssertEqual(world.status("app"), .stopped)
        XCTAssertEqual(world.status("db"), .stopped)
        XCTAssertEqual(world.log.last, "finished")
        XCTAssertFalse(world.log.contains("spawn app"))
    }

    func testShutdownWithNothingRunningFinishesAtOnce() {
        var world = World([("app", [])], wantedUp: false)
        world.send(.startup)
        world.send(.shutdown)
        XCTAssertEqual(world.log, ["finished"])
    }

    func testNothingStartsWhileHeld() {
        var world = World([("app", [])])
        world.send(.hold("waiting for 1 process(es) of an earlier run to exit"))
        world.send(.startup)
        XCTAssertFalse(world.log.contains("spawn app"))
        world.send(.hold(nil))
        XCTAssertEqual(world.status("app"), .online)
    }

    // MARK: - Reload

    func testReloadRestartsOnlyTheChangedInstance() {
        var world = World([("db", []), ("annotate", ["db"]), ("review", ["db"])])
        world.send(.startup)
        world.log = []
        let review = world.id("review")
        world.send(.reload(.init(changed: [(review, .init(name: "review", dependsOn: ["db"]))])))
        XCTAssertEqual(world.log, ["stop review", "replace review", "spawn review"])
        XCTAssertEqual(world.status("review"), .online)
        XCTAssertFalse(world.orchestrator.isBusy(review))
    }

    func testReloadRemovesDependentsFirstAndStartsAddedOnes() {
        var world = World([("db", []), ("app", ["db"]), ("keep", [])])
        world.send(.startup)
        world.log = []
        world.send(
            .reload(
                .init(
                    added: [
                        (7, .init(name: "fresh", dependsOn: ["keep"]), true),
                        (8, .init(name: "idle", dependsOn: []), false),
                    ],
                    removed: [world.id("db"), world.id("app")])))
        XCTAssertLessThan(world.index("stop app"), world.index("stop db"))
        XCTAssertTrue(world.log.contains("forget app"))
        XCTAssertTrue(world.log.contains("forget db"))
        XCTAssertTrue(world.log.contains("spawn fresh"))
        XCTAssertFalse(world.log.contains("spawn idle"), "an added instance without autostart stays stopped")
        XCTAssertFalse(world.log.contains("stop keep"))
        XCTAssertEqual(world.orchestrator.ids.count, 3)
    }

    func testReloadOfADependencyAndItsDependentRestartsThemInOrder() {
        var world = World([("db", []), ("app", ["db"])])
        world.send(.startup)
        world.log = []
        world.send(
            .reload(
                .init(changed: [(0, .init(name: "db", dependsOn: [])), (1, .init(name: "app", dependsOn: ["db"]))])))
        XCTAssertEqual(world.log, ["stop app", "replace app", "stop db", "replace db", "spawn db", "spawn app"])
    }

    func testReloadKeepsAStoppedInstanceStopped() {
        var world = World([("app", [])])
        world.send(.startup)
        world.send(.stop([0]))
        world.log = []
        world.send(.reload(.init(changed: [(0, .init(name: "app", dependsOn: []))])))
        XCTAssertEqual(world.log, ["replace app"])
        XCTAssertEqual(world.status("app"), .stopped)
    }

    func testShutdownDuringAReloadEndsWithEverythingAtRest() {
        var world = World([("db", []), ("app", ["db"])], slow: ["app"])
        world.send(.startup)
        world.happen("app", .ready)
        world.send(
            .reload(
                .init(
                    added: [(5, .init(name: "fresh", dependsOn: ["db"]), true)],
                    changed: [(0, .init(name: "db", dependsOn: []))])))
        // db went down and came back; app was left running; fresh is starting. Now shut down.
        world.send(.shutdown)
        XCTAssertEqual(world.log.last, "finished")
        for name in ["db", "app"] { XCTAssertEqual(world.status(name), .stopped, name) }
        XCTAssertEqual(world.machines[5]?.status, .stopped)
    }

    func testReloadWhileCrashLoopingEndsInTheStateTheNewFileAsks() {
        var world = World([("loop", []), ("gone", [])])
        world.send(.startup)
        // loop crashes: its machine goes to backoff (a failed start, no stable run).
        world.happen("loop", .exited(.exited(1)))
        XCTAssertEqual(world.status("loop"), .backoff)
        world.send(.reload(.init(changed: [(0, .init(name: "loop", dependsOn: []))], removed: [1])))
        XCTAssertEqual(world.status("loop"), .online, "swapped and started afresh")
        XCTAssertNil(world.machines[1])
        XCTAssertFalse(world.orchestrator.isBusy(0))
    }

    func testADependsOnChangedInPlaceOrdersLaterStopsWithoutARestart() {
        var world = World([("db", []), ("app", [])])
        world.send(.startup)
        world.log = []
        world.send(.reload(.init(updated: [(1, .init(name: "app", dependsOn: ["db"]))])))
        XCTAssertEqual(world.log, [], "nothing restarts")
        world.send(.stop([0, 1]))
        XCTAssertEqual(world.log, ["stop app", "stop db"], "the new dependsOn orders the stop")
    }
}
