import XCTest

@testable import FomCore

/// The six layers of an instance's environment (DESIGN.md, "The environment of an instance").
final class EnvironmentLayersTests: XCTestCase {
    private let cvatEnvFile = [
        DotEnvEntry(key: "CVAT_URL", value: "http://cvat:8080", line: 1),
        DotEnvEntry(key: "CVAT_USERNAME", value: "django", line: 2),
        DotEnvEntry(key: "CVAT_PASSWORD", value: "s3cret", line: 3),
        DotEnvEntry(key: "CVAT_EMAIL", value: "", line: 4),
    ]

    private func inputs(
        supervisor: [String: String] = ["PATH": "/usr/bin", "HOME": "/root"],
        dotenv: [DotEnvEntry] = [],
        isFiftyOne: Bool = true,
        port: Int? = 5151,
        env: [(String, String)] = [],
        cvatSync: Bool = false
    ) -> EnvironmentInputs {
        EnvironmentInputs(
            supervisorEnvironment: supervisor, dotenv: dotenv, envFilePath: "/x/.env", isFiftyOne: isFiftyOne,
            port: port, address: "0.0.0.0", instanceEnv: env, cvatSync: cvatSync, name: "annotate", id: 3)
    }

    private func buildError(_ inputs: EnvironmentInputs) -> String? {
        do {
            _ = try EnvironmentLayers.build(inputs)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    private func cvatNames(_ env: ResolvedEnvironment) -> [String] {
        env.sortedNames.filter { $0.contains("CVAT") }
    }

    // Layer 1

    func testSupervisorEnvironmentIsInherited() throws {
        let env = try EnvironmentLayers.build(inputs())
        XCTAssertEqual(env.variables["PATH"], "/usr/bin")
        XCTAssertEqual(env.source(of: "PATH"), .supervisor)
        XCTAssertEqual(env.source(of: "PATH")?.description, "supervisor")
    }

    func testFiftyOneCVATVariablesOfTheSupervisorAreStripped() throws {
        let supervisor = [
            "FIFTYONE_CVAT_URL": "http://leak", "FIFTYONE_CVAT_PASSWORD": "leak",
            "FIFTYONE_CVAT_ORGANIZATION": "org", "FIFTYONE_DATABASE_URI": "mongodb://db",
        ]
        let env = try EnvironmentLayers.build(inputs(supervisor: supervisor))
        XCTAssertEqual(cvatNames(env), [])
        XCTAssertEqual(env.variables["FIFTYONE_DATABASE_URI"], "mongodb://db")
    }

    func testFiftyOneInternalVariablesOfTheSupervisorAreStripped() throws {
        var supervisor: [String: String] = [:]
        for name in [
            "FIFTYONE_PRIVATE_DATABASE_PORT", "FIFTYONE_DISABLE_SERVICES", "FIFTYONE_SERVER", "FIFTYONE_HEADLESS",
            "FIFTYONE_EXIT",
        ] {
            supervisor[name] = "1"
        }
        supervisor["FIFTYONE_DATABASE_NAME"] = "kept"
        let env = try EnvironmentLayers.build(inputs(supervisor: supervisor))
        XCTAssertEqual(
            env.sortedNames.filter { $0.hasPrefix("FIFTYONE_") && !$0.hasPrefix("FIFTYONE_DEFAULT") },
            [
                "FIFTYONE_DATABASE_NAME"
            ])
    }

    // Layer 2

    func testEnvFileOverridesTheSupervisorAndNamesItsPath() throws {
        let env = try EnvironmentLayers.build(
            inputs(supervisor: ["A": "sup"], dotenv: [DotEnvEntry(key: "A", value: "file", line: 1)]))
        XCTAssertEqual(env.variables["A"], "file")
        XCTAssertEqual(env.source(of: "A"), .envFile("/x/.env"))
        XCTAssertEqual(env.source(of: "A")?.description, "/x/.env")
    }

    func testFiftyOneCVATVariablesOfTheEnvFileAreIgnoredAndReported() throws {
        let dotenv = [
            DotEnvEntry(key: "FIFTYONE_CVAT_URL", value: "http://file", line: 1),
            DotEnvEntry(key: "FIFTYONE_CVAT_ORGANIZATION", value: "org", line: 2),
        ]
        let unsynced = try EnvironmentLayers.build(inputs(dotenv: dotenv))
        XCTAssertEqual(cvatNames(unsynced), [])
        XCTAssertEqual(unsynced.ignoredFromEnvFile, ["FIFTYONE_CVAT_ORGANIZATION", "FIFTYONE_CVAT_URL"])

        let synced = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile + dotenv, cvatSync: true))
        XCTAssertEqual(synced.variables["FIFTYONE_CVAT_URL"], "http://cvat:8080")
        XCTAssertNil(synced.variables["FIFTYONE_CVAT_ORGANIZATION"])
    }

    func testFiftyOneInternalVariablesFromTheEnvFileAreKept() throws {
        let env = try EnvironmentLayers.build(
            inputs(dotenv: [DotEnvEntry(key: "FIFTYONE_HEADLESS", value: "1", line: 1)]))
        XCTAssertEqual(env.variables["FIFTYONE_HEADLESS"], "1")
    }

    // Layer 3

    func testFiftyOneDefaults() throws {
        let env = try EnvironmentLayers.build(
            inputs(dotenv: [DotEnvEntry(key: "FIFTYONE_DEFAULT_APP_PORT", value: "1", line: 1)]))
        XCTAssertEqual(env.variables["PYTHONUNBUFFERED"], "1")
        XCTAssertEqual(env.variables["FIFTYONE_DEFAULT_APP_PORT"], "5151")
        XCTAssertEqual(env.variables["FIFTYONE_DEFAULT_APP_ADDRESS"], "0.0.0.0")
        XCTAssertEqual(env.source(of: "FIFTYONE_DEFAULT_APP_PORT"), .fiftyOneDefaults)
        XCTAssertEqual(env.source(of: "PYTHONUNBUFFERED")?.description, "fiftyone defaults")
    }

    func testProcessInstancesGetNoFiftyOneDefaults() throws {
        let env = try EnvironmentLayers.build(inputs(isFiftyOne: false, port: 27017))
        XCTAssertNil(env.variables["PYTHONUNBUFFERED"])
        XCTAssertNil(env.variables["FIFTYONE_DEFAULT_APP_PORT"])
        XCTAssertNil(env.variables["FIFTYONE_DEFAULT_APP_ADDRESS"])
    }

    // Layer 4

    func testInstanceEnvOverridesAndExpandsFromLowerLayersAndEarlierKeys() throws {
        let env = try EnvironmentLayers.build(
            inputs(
                supervisor: ["HOME": "/root", "PYTHONUNBUFFERED": "0"],
                dotenv: [DotEnvEntry(key: "DB_HOST", value: "127.0.0.1", line: 1)],
                env: [
                    ("FIFTYONE_DATABASE_URI", "mongodb://${DB_HOST}:27017"),
                    ("LOG", "$HOME/logs/${FIFTYONE_DEFAULT_APP_PORT}"),
                    ("DB_HOST", "db.internal"),
                    ("URI2", "mongodb://${DB_HOST}"),
                    ("PYTHONUNBUFFERED", "${NOPE:-0}"),
                ]))
        XCTAssertEqual(env.variables["FIFTYONE_DATABASE_URI"], "mongodb://127.0.0.1:27017")
        XCTAssertEqual(env.variables["LOG"], "/root/logs/5151")
        XCTAssertEqual(env.variables["URI2"], "mongodb://db.internal")
        XCTAssertEqual(env.variables["PYTHONUNBUFFERED"], "0")
        XCTAssertEqual(env.source(of: "DB_HOST"), .instanceEnv)
        XCTAssertEqual(env.source(of: "DB_HOST")?.description, "instance env")
    }

    func testInstanceEnvDoesNotSeeStrippedVariables() throws {
        let env = try EnvironmentLayers.build(
            inputs(supervisor: ["FIFTYONE_CVAT_URL": "http://leak"], env: [("X", "[${FIFTYONE_CVAT_URL}]")]))
        XCTAssertEqual(env.variables["X"], "[]")
    }

    func testRequiredVariableErrorInInstanceEnvNamesInstanceAndKey() {
        XCTAssertEqual(
            buildError(inputs(env: [("FIFTYONE_DATABASE_URI", "${MONGO_URI:?set MONGO_URI in .env}")])),
            "annotate: env FIFTYONE_DATABASE_URI: required variable MONGO_URI is missing a value: set MONGO_URI in .env"
        )
        XCTAssertEqual(
            buildError(inputs(env: [("X", "${oops")])),
            #"annotate: env X: invalid variable reference "${oops""#)
    }

    func testInstanceEnvKeysMustBeValidNames() {
        XCTAssertEqual(
            buildError(inputs(env: [("A=B", "1")])), #"annotate: env key "A=B" is not a valid variable name"#)
        XCTAssertEqual(buildError(inputs(env: [("", "1")])), #"annotate: env key "" is not a valid variable name"#)
    }

    func testNulInAValueIsAnError() {
        XCTAssertEqual(
            buildError(inputs(dotenv: [DotEnvEntry(key: "A", value: "x\u{0}y", line: 1)])),
            "annotate: the value of A (from /x/.env) contains a NUL character")
    }

    // Layer 5

    func testCVATInputsAreNeverPassedOn() throws {
        let supervisor = ["CVAT_URL": "http://sup", "CVAT_PASSWORD": "p"]
        for sync in [false, true] {
            let env = try EnvironmentLayers.build(
                inputs(supervisor: supervisor, dotenv: cvatEnvFile, env: [("CVAT_EMAIL", "me@x")], cvatSync: sync))
            for name in EnvironmentLayers.cvatInputs {
                XCTAssertNil(env.variables[name], "\(name), cvatSync \(sync)")
                XCTAssertNil(env.source(of: name))
            }
        }
    }

    func testSyncedInstanceGetsFiftyOneCVATVariables() throws {
        let env = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile, cvatSync: true))
        XCTAssertEqual(cvatNames(env), ["FIFTYONE_CVAT_PASSWORD", "FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME"])
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_URL"], "http://cvat:8080")
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_USERNAME"], "django")
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_PASSWORD"], "s3cret")
        XCTAssertEqual(env.source(of: "FIFTYONE_CVAT_PASSWORD"), .cvatSync)
        XCTAssertEqual(env.source(of: "FIFTYONE_CVAT_PASSWORD")?.description, "cvat sync")
    }

    func testEmailOnlyWhenNotEmpty() throws {
        let empty = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile, cvatSync: true))
        XCTAssertNil(empty.variables["FIFTYONE_CVAT_EMAIL"])
        let set = try EnvironmentLayers.build(
            inputs(dotenv: cvatEnvFile + [DotEnvEntry(key: "CVAT_EMAIL", value: "a@b.c", line: 5)], cvatSync: true))
        XCTAssertEqual(set.variables["FIFTYONE_CVAT_EMAIL"], "a@b.c")
    }

    func testCVATInputsFromTheSupervisorEnvironmentCount() throws {
        let supervisor = ["CVAT_URL": "http://sup", "CVAT_USERNAME": "u", "CVAT_PASSWORD": "p"]
        let env = try EnvironmentLayers.build(inputs(supervisor: supervisor, cvatSync: true))
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_URL"], "http://sup")
    }

    func testInstanceEnvPointsOneInstanceAtAnotherCVATServer() throws {
        let other = try EnvironmentLayers.build(
            inputs(dotenv: cvatEnvFile, env: [("CVAT_URL", "http://other:8080")], cvatSync: true))
        XCTAssertEqual(other.variables["FIFTYONE_CVAT_URL"], "http://other:8080")
        XCTAssertEqual(other.variables["FIFTYONE_CVAT_USERNAME"], "django")
        let plain = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile, cvatSync: true))
        XCTAssertEqual(plain.variables["FIFTYONE_CVAT_URL"], "http://cvat:8080")
    }

    func testUnsyncedInstanceHasNoFiftyOneCVATVariable() throws {
        let env = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile, cvatSync: false))
        XCTAssertEqual(cvatNames(env), [])
        XCTAssertFalse(env.sortedLines.contains { $0.contains("s3cret") })
    }

    func testUnsyncedInstanceKeepsFiftyOneCVATVariablesItsOwnEnvSets() throws {
        let env = try EnvironmentLayers.build(
            inputs(dotenv: cvatEnvFile, env: [("FIFTYONE_CVAT_ORGANIZATION", "team")], cvatSync: false))
        XCTAssertEqual(cvatNames(env), ["FIFTYONE_CVAT_ORGANIZATION"])
        XCTAssertEqual(env.source(of: "FIFTYONE_CVAT_ORGANIZATION"), .instanceEnv)
    }

    func testSyncOverridesAFiftyOneCVATURLOfTheInstanceEnvButKeepsOthers() throws {
        let env = try EnvironmentLayers.build(
            inputs(
                dotenv: cvatEnvFile,
                env: [("FIFTYONE_CVAT_URL", "http://mine"), ("FIFTYONE_CVAT_EMAIL", "own@x")], cvatSync: true))
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_URL"], "http://cvat:8080")
        XCTAssertEqual(env.variables["FIFTYONE_CVAT_EMAIL"], "own@x")
    }

    func testMissingOrEmptyCVATSettingsStopTheInstance() {
        let noPassword = cvatEnvFile.filter { $0.key != "CVAT_PASSWORD" }
        XCTAssertEqual(
            buildError(inputs(dotenv: noPassword, cvatSync: true)),
            "annotate: cvatSync is on but CVAT_PASSWORD is missing or empty (set it in /x/.env)")
        XCTAssertEqual(
            buildError(inputs(dotenv: cvatEnvFile, env: [("CVAT_USERNAME", "")], cvatSync: true)),
            "annotate: cvatSync is on but CVAT_USERNAME is missing or empty (set it in /x/.env)")
        XCTAssertEqual(
            buildError(inputs(dotenv: [], cvatSync: true)),
            "annotate: cvatSync is on but CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD are missing or empty "
                + "(set them in /x/.env)")
        XCTAssertEqual(
            buildError(inputs(dotenv: Array(cvatEnvFile.dropFirst(2)), cvatSync: true)),
            "annotate: cvatSync is on but CVAT_URL and CVAT_USERNAME are missing or empty (set them in /x/.env)")
        XCTAssertNil(buildError(inputs(dotenv: noPassword, cvatSync: false)))
    }

    func testMissingCVATSettingsWithoutAnEnvFile() {
        var noFile = inputs(cvatSync: true)
        noFile.envFilePath = ""
        XCTAssertEqual(
            buildError(noFile),
            "annotate: cvatSync is on but CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD are missing or empty "
                + "(set them in the .env file)")
    }

    // Layer 6 and output

    func testFomMarkersWinOverEverything() throws {
        let env = try EnvironmentLayers.build(
            inputs(supervisor: ["FOM_NAME": "x"], env: [("FOM_ID", "99")]))
        XCTAssertEqual(env.variables["FOM_NAME"], "annotate")
        XCTAssertEqual(env.variables["FOM_ID"], "3")
        XCTAssertEqual(env.source(of: "FOM_ID"), .fom)
        XCTAssertEqual(env.source(of: "FOM_ID")?.description, "fom")
        XCTAssertNil(env.source(of: "NOT_THERE"))
    }

    func testSortedLinesAndDisplayLines() throws {
        let env = try EnvironmentLayers.build(
            inputs(
                supervisor: ["b": "2", "PATH": "/bin", "API_TOKEN": "t0ken-value"], dotenv: cvatEnvFile,
                isFiftyOne: false, cvatSync: true))
        let expected = [
            "API_TOKEN=t0ken-value", "FIFTYONE_CVAT_PASSWORD=s3cret", "FIFTYONE_CVAT_URL=http://cvat:8080",
            "FIFTYONE_CVAT_USERNAME=django", "FOM_ID=3", "FOM_NAME=annotate", "PATH=/bin", "b=2",
        ]
        XCTAssertEqual(env.sortedLines, expected)
        XCTAssertEqual(env.displayLines(reveal: true), expected)
        XCTAssertEqual(
            env.displayLines(reveal: false),
            [
                "API_TOKEN=********", "FIFTYONE_CVAT_PASSWORD=********", "FIFTYONE_CVAT_URL=http://cvat:8080",
                "FIFTYONE_CVAT_USERNAME=django", "FOM_ID=3", "FOM_NAME=annotate", "PATH=/bin", "b=2",
            ])
        XCTAssertEqual(env.secrets.values, ["t0ken-value", "s3cret"])
    }

    func testFomEnvGrepCVATShowsExactlyTheSyncedLines() throws {
        let env = try EnvironmentLayers.build(
            inputs(supervisor: ["CVAT_URL": "x", "FIFTYONE_CVAT_URL": "y"], dotenv: cvatEnvFile, cvatSync: true))
        XCTAssertEqual(
            env.displayLines(reveal: false).filter { $0.contains("CVAT") },
            [
                "FIFTYONE_CVAT_PASSWORD=********", "FIFTYONE_CVAT_URL=http://cvat:8080",
                "FIFTYONE_CVAT_USERNAME=django",
            ])
    }

    // Drift

    func testDriftListsAddedRemovedAndChangedNamesSorted() {
        let running = ["A": "1", "B": "2", "C": "3", "FOM_INSTANCE_TOKEN": "t1"]
        let next = ["A": "1", "B": "two", "D": "4", "C": ""]
        XCTAssertEqual(
            EnvironmentLayers.drift(running: running, next: next, ignoring: ["FOM_INSTANCE_TOKEN"]), ["B", "C", "D"])
        XCTAssertEqual(EnvironmentLayers.drift(running: running, next: next), ["B", "C", "D", "FOM_INSTANCE_TOKEN"])
        XCTAssertEqual(EnvironmentLayers.drift(running: next, next: next), [])
    }

    func testDriftAfterEnvFileChangeOfTheCVATPassword() throws {
        let before = try EnvironmentLayers.build(inputs(dotenv: cvatEnvFile, cvatSync: true))
        let changed = cvatEnvFile.map {
            $0.key == "CVAT_PASSWORD" ? DotEnvEntry(key: $0.key, value: "new", line: 3) : $0
        }
        let after = try EnvironmentLayers.build(inputs(dotenv: changed, cvatSync: true))
        XCTAssertEqual(
            EnvironmentLayers.drift(running: before.variables, next: after.variables), ["FIFTYONE_CVAT_PASSWORD"])
    }
}
