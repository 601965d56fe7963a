import XCTest

@testable import FomCore

/// `fom startup`'s unit text, its name and its stop timeout.
final class SystemdUnitTests: XCTestCase {
    func unit(
        config: String = "/srv/stack/supervisor.json", fomHome: String? = nil, runAs: String? = nil,
        userUnit: Bool = false
    ) -> SystemdUnit {
        SystemdUnit(
            executable: "/usr/local/bin/fom", configPath: config, envName: nil, workingDirectory: "/srv/stack",
            fomHome: fomHome, runAs: runAs, userUnit: userUnit, stopTimeout: .seconds(40))
    }

    func lines(_ unit: SystemdUnit) -> [String] { unit.text.split(separator: "\n").map(String.init) }

    func testSystemUnitRunsTheDaemonInTheForeground() {
        let l = lines(unit())
        XCTAssertTrue(l.contains("Type=simple"))
        XCTAssertTrue(l.contains("ExecStart=/usr/local/bin/fom daemon --config /srv/stack/supervisor.json"))
        XCTAssertTrue(l.contains("WorkingDirectory=/srv/stack"))
        XCTAssertTrue(l.contains("KillMode=mixed"))
        XCTAssertTrue(l.contains("TimeoutStopSec=40"))
        XCTAssertTrue(l.contains("Restart=on-failure"))
        XCTAssertTrue(l.contains("WantedBy=multi-user.target"))
        XCTAssertFalse(l.contains { $0.hasPrefix("Environment=") }, "no FOM_HOME when it is not set")
        XCTAssertFalse(l.contains { $0.hasPrefix("User=") }, "root's unit runs as root")
    }

    func testFomHomeAndUserAreKept() {
        let l = lines(unit(fomHome: "/var/lib/fom", runAs: "alice"))
        XCTAssertTrue(l.contains("Environment=FOM_HOME=/var/lib/fom"))
        XCTAssertTrue(l.contains("User=alice"))
    }

    func testUserUnitWantsTheDefaultTargetAndHasNoUser() {
        let l = lines(unit(runAs: "alice", userUnit: true))
        XCTAssertTrue(l.contains("WantedBy=default.target"))
        XCTAssertFalse(l.contains { $0.hasPrefix("User=") })
    }

    func testPathsWithSpacesPercentAndDollarAreQuoted() {
        let l = lines(unit(config: "/srv/my stack/100%/$x/supervisor.json", fomHome: "/h \"q\""))
        XCTAssertTrue(
            l.contains("ExecStart=/usr/local/bin/fom daemon --config \"/srv/my stack/100%%/$$x/supervisor.json\""),
            l.joined(separator: "\n"))
        XCTAssertTrue(l.contains("Environment=\"FOM_HOME=/h \\\"q\\\"\""), l.joined(separator: "\n"))
    }

    func testUnitIsNamedAfterTheConfigDirectory() {
        XCTAssertEqual(SystemdUnit.unitName(configDirectory: "/srv/annotate"), "fom-annotate.service")
        XCTAssertEqual(SystemdUnit.unitName(configDirectory: "/srv/my stack.v2"), "fom-my-stack-v2.service")
        XCTAssertEqual(SystemdUnit.unitName(configDirectory: "/"), "fom.service")
    }

    func testStopTimeoutCoversTheLongestStopChain() throws {
        let config = try SupervisorConfig.parse(
            text: """
                { "instances": [
                    {"name": "db", "kind": "process", "command": ["x"], "killTimeout": "30s"},
                    {"name": "web", "kind": "process", "command": ["x"], "killTimeout": "20s", "dependsOn": ["db"]},
                    {"name": "solo", "kind": "process", "command": ["x"], "killTimeout": "45s"} ] }
                """, path: "/srv/s/supervisor.json", runtimeDirectory: nil)
        // web stops before db: 20 + 5 (grace) + 30 + 5 = 60 s, more than solo's 45 + 5; plus 10 s margin.
        XCTAssertEqual(SystemdUnit.stopTimeout(config.instances), .seconds(70))
        XCTAssertGreaterThan(SystemdUnit.stopTimeout(config.instances), .seconds(45))
    }
}
