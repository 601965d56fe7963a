import XCTest

@testable import FomCore

/// `fom export compose`: the same guarantees on one host with docker compose.
final class ExportComposeTests: XCTestCase {
    func testCVATVariablesAreOnlyOnSyncedServicesAndThePasswordIsNeverWritten() throws {
        let result = try ExportFixture.defaultConfig(env: ExportKubernetesTests.env).compose()
        XCTAssertFalse(result.compose.contains(ExportKubernetesTests.password))
        XCTAssertFalse(result.sharedEnvFile?.contains(ExportKubernetesTests.password) ?? false)
        XCTAssertFalse(result.sharedEnvFile?.contains("CVAT") ?? false)
        let services = try XCTUnwrap(result.document["services"])
        XCTAssertEqual(
            services.at("annotate", "environment", "FIFTYONE_CVAT_PASSWORD")?.string,
            "${CVAT_PASSWORD:?CVAT_PASSWORD is not set}")
        for unsynced in ["review", "mongodb"] {
            XCTAssertFalse(services.at(unsynced, "environment")!.keys.contains { $0.contains("CVAT") }, unsynced)
        }
        XCTAssertEqual(services.at("review", "env_file")?.items.compactMap(\.string), ["fom-shared.env"])
    }

    func testDependenciesWaitForHealthAndStopSettingsCarryOver() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [
                  {"name": "app", "port": 5151, "dependsOn": ["db", "worker"], "maxMemory": "512M",
                   "killTimeout": "1500ms", "stopSignal": "SIGINT", "restart": "on-failure", "maxRestarts": 4},
                  {"name": "db", "kind": "process", "command": ["mongod"], "port": 27017, "ready": {"tcp": 27017},
                   "restart": "never"},
                  {"name": "worker", "kind": "process", "command": ["w"], "autostart": false}
                ]}
                """, env: "")
        let services = try XCTUnwrap(fixture.compose().document["services"])
        XCTAssertEqual(services.at("app", "depends_on", "db", "condition")?.string, "service_healthy")
        XCTAssertEqual(services.at("app", "depends_on", "worker", "condition")?.string, "service_started")
        XCTAssertEqual(services.at("app", "mem_limit")?.string, "512m")
        XCTAssertEqual(services.at("app", "stop_grace_period")?.string, "1500ms")
        XCTAssertEqual(services.at("app", "stop_signal")?.string, "SIGINT")
        XCTAssertEqual(services.at("app", "restart")?.string, "on-failure:4")
        XCTAssertEqual(services.at("db", "restart")?.string, "no")
        XCTAssertEqual(services.at("app", "ports")?.items.compactMap(\.string), ["127.0.0.1:5151:5151"])
        XCTAssertEqual(services.at("app", "healthcheck", "test", 4)?.string, "http://127.0.0.1:5151/fiftyone")
        XCTAssertEqual(services.at("db", "healthcheck", "test", 1)?.string, "bash")
        XCTAssertEqual(
            try fixture.compose(ExportOptions(images: ["db": "mongo:7.0"])).document.at(
                "services", "db", "healthcheck", "test", 1)?.string, "bash", "mongod's image has no Python")
        XCTAssertEqual(services.at("db", "volumes")?.items.compactMap(\.string), ["db-data:/data/db"])
        // worker is needed by an autostart instance, so it starts with the project.
        XCTAssertNil(services.at("worker", "profiles"))
    }

    func testAnInstancesOwnCVATURLIsWrittenButItsOwnSecretsAreReferenced() throws {
        let fixture = try ExportFixture(
            config: """
                {"instances": [{"name": "app", "port": 5151, "cvatSync": true,
                  "env": {"CVAT_URL": "http://other:8080", "CVAT_PASSWORD": "own-password-1"}}]}
                """, env: ExportKubernetesTests.env)
        let result = try fixture.compose()
        let environment = try XCTUnwrap(result.document.at("services", "app", "environment"))
        XCTAssertEqual(environment["FIFTYONE_CVAT_URL"]?.string, "http://other:8080")
        XCTAssertEqual(
            environment["FIFTYONE_CVAT_PASSWORD"]?.string, "${FOM_APP_CVAT_PASSWORD:?FOM_APP_CVAT_PASSWORD is not set}")
        XCTAssertFalse(result.compose.contains("own-password-1"))
        XCTAssertTrue(result.warnings.contains { $0.contains("FOM_APP_CVAT_PASSWORD") }, "\(result.warnings)")
    }

    func testLiteralDollarSignsAreEscapedForCompose() throws {
        let fixture = try ExportFixture(
            config: #"{"instances": [{"name": "app", "port": 5151, "env": {"PRICE": "5$$", "CMD": "a${HOME}b"}}]}"#,
            env: "")
        let environment = try XCTUnwrap(fixture.compose().document.at("services", "app", "environment"))
        XCTAssertEqual(environment["PRICE"]?.string, "5$$")
        XCTAssertEqual(environment["CMD"]?.string, "a/rootb")
    }

    func testTheSharedEnvFileReadsBackAsTheSameValues() throws {
        let values = ["plain", "it's", "two\nlines", "a\"b", "$HOME", "${X:-y}", "back\\slash", " spaced ", "#x", ""]
        let entries = values.enumerated().map { (key: "K\($0.offset)", value: $0.element) }
        let text = DotEnvWriter.file(entries)
        let parsed = try DotEnv.parse(text, file: "fom-shared.env", lookup: { _ in "WRONG" })
        XCTAssertEqual(parsed.map(\.key), entries.map(\.key))
        XCTAssertEqual(parsed.map(\.value), values)
    }

    func testKeysWithoutAnEquivalentAreListedInWarnings() throws {
        let fixture = try ExportFixture(
            config: #"{"instances": [{"name": "app", "port": 5151, "maxRestarts": 3, "minUptime": "1s"}]}"#, env: "")
        let warnings = try fixture.compose().warnings
        XCTAssertTrue(warnings.contains { $0.hasPrefix("app: maxRestarts 3") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("app: minUptime 1s") }, "\(warnings)")
    }
}
