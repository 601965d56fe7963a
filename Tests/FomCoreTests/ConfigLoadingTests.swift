import FomCore
import XCTest

final class ConfigLoadingTests: XCTestCase {
    private let path = "/srv/stack/supervisor.json"

    /// The example of DESIGN.md, verbatim.
    private let designExample = """
        {
          "envFile": ".env",
          "logs": { "dir": ".fom/logs", "maxSize": "10M", "keep": 5, "timestamps": false },
          "instances": [
            {
              "name": "mongodb",
              "kind": "process",
              "command": [".venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "27017",
                          "--bind_ip", "127.0.0.1"],
              "ready": { "tcp": 27017 }
            },
            {
              "name": "annotate",
              "port": 5151,
              "cvatSync": true,
              "dependsOn": ["mongodb"],
              "env": { "FIFTYONE_DATABASE_URI": "mongodb://127.0.0.1:27017",
                       "FIFTYONE_DATABASE_NAME": "annotate" }
            }
          ]
        }
        """

    func testDesignExampleParsesWithAllDefaults() throws {
        let config = try SupervisorConfig.parse(text: designExample, path: path)
        XCTAssertEqual(config.path, "/srv/stack/supervisor.json")
        XCTAssertEqual(config.directory, "/srv/stack")
        XCTAssertEqual(config.envFile, "/srv/stack/.env")
        XCTAssertEqual(
            config.logs, LogsConfig(dir: "/srv/stack/.fom/logs", maxSize: 10 * 1024 * 1024, keep: 5, timestamps: false))
        XCTAssertEqual(config.instances.map(\.name), ["mongodb", "annotate"])

        let mongo = config.instances[0]
        XCTAssertEqual(mongo.kind, .process)
        XCTAssertEqual(
            mongo.command,
            [".venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "27017", "--bind_ip", "127.0.0.1"])
        XCTAssertNil(mongo.port)
        XCTAssertNil(mongo.python)
        XCTAssertEqual(mongo.address, "127.0.0.1")
        XCTAssertEqual(mongo.cvatSync, false)
        XCTAssertTrue(mongo.env.isEmpty)
        XCTAssertEqual(mongo.cwd, "/srv/stack")
        XCTAssertEqual(mongo.autostart, true)
        XCTAssertEqual(mongo.restart, .always)
        XCTAssertEqual(mongo.maxRestarts, 10)
        XCTAssertEqual(mongo.minUptime, .seconds(5))
        XCTAssertEqual(mongo.backoff, Backoff(initial: .milliseconds(100), max: .seconds(30)))
        XCTAssertEqual(mongo.stopSignal, .term)
        XCTAssertEqual(mongo.stopSignal.number, 15)
        XCTAssertEqual(mongo.killTimeout, .seconds(10))
        XCTAssertEqual(mongo.ready, .tcp(port: 27017))
        XCTAssertEqual(mongo.readyTimeout, .seconds(60))
        XCTAssertNil(mongo.maxMemory)
        XCTAssertEqual(mongo.dependsOn, [])
        XCTAssertEqual(
            mongo.resolvedCommand(pythonExists: { _ in false }),
            [
                "/srv/stack/.venv/mongodb/bin/mongod", "--dbpath", ".fom/data/db", "--port", "27017", "--bind_ip",
                "127.0.0.1",
            ])

        let annotate = config.instances[1]
        XCTAssertEqual(annotate.kind, .fiftyone)
        XCTAssertEqual(annotate.port, 5151)
        XCTAssertEqual(annotate.cvatSync, true)
        XCTAssertEqual(annotate.dependsOn, ["mongodb"])
        XCTAssertEqual(annotate.env.map(\.key), ["FIFTYONE_DATABASE_URI", "FIFTYONE_DATABASE_NAME"])
        XCTAssertEqual(annotate.env.map(\.value), ["mongodb://127.0.0.1:27017", "annotate"])
        XCTAssertEqual(annotate.envValue("FIFTYONE_DATABASE_NAME"), "annotate")
        XCTAssertEqual(
            annotate.command, ["{python}", "-m", "fiftyone.server.main", "--port", "{port}", "--address", "{address}"])
        XCTAssertEqual(annotate.killTimeout, .seconds(15))
        XCTAssertEqual(annotate.ready, .http(path: "/fiftyone"))
        XCTAssertEqual(annotate.stopSignal, .term)
        XCTAssertEqual(
            annotate.resolvedCommand(pythonExists: { $0 == "/srv/stack/.venv/bin/python" }),
            ["/srv/stack/.venv/bin/python", "-m", "fiftyone.server.main", "--port", "5151", "--address", "127.0.0.1"])
        XCTAssertEqual(
            annotate.resolvedCommand(pythonExists: { _ in false }),
            ["python3", "-m", "fiftyone.server.main", "--port", "5151", "--address", "127.0.0.1"])

        XCTAssertEqual(config.startOrder.map(\.name), ["mongodb", "annotate"])
        XCTAssertEqual(config.stopOrder.map(\.name), ["annotate", "mongodb"])
    }

    func testMinimalFileGetsEveryDefault() throws {
        let config = try SupervisorConfig.parse(text: #"{"instances": []}"#, path: path)
        XCTAssertEqual(config, SupervisorConfig(path: path))
        XCTAssertEqual(config.envFile, "/srv/stack/.env")
        XCTAssertEqual(config.logs.dir, "/srv/stack/.fom/logs")
        XCTAssertEqual(config.logs.maxSize, 10_485_760)
        XCTAssertEqual(config.logs.keep, 5)
        XCTAssertFalse(config.logs.timestamps)
        XCTAssertTrue(config.instances.isEmpty)
    }

    func testFomHomeMovesTheDefaultLogDirectory() throws {
        let config = try SupervisorConfig.parse(
            text: #"{"instances": []}"#, path: path, runtimeDirectory: "/var/lib/fom")
        XCTAssertEqual(config.logs.dir, "/var/lib/fom/logs")
        let explicit = try SupervisorConfig.parse(
            text: #"{"logs": {"dir": "logs"}, "instances": []}"#, path: path, runtimeDirectory: "/var/lib/fom")
        XCTAssertEqual(explicit.logs.dir, "/srv/stack/logs")
    }

    func testEveryKeySet() throws {
        let text = """
            {
              "envFile": "config/../secrets/.env.prod",
              "logs": { "dir": "/var/log/fom", "maxSize": 1048576, "keep": 0, "timestamps": true },
              "instances": [
                {
                  "name": "worker_1",
                  "kind": "process",
                  "command": ["{python}", "worker.py", "--name", "{name}", "--listen={address}:{port}", "{unknown}"],
                  "python": "envs/py/bin/python",
                  "port": 8000,
                  "address": "0.0.0.0",
                  "cvatSync": true,
                  "env": { "B": "2", "A": "${B}", "PORT": 27017, "DEBUG": false },
                  "cwd": "work/./dir/",
                  "autostart": false,
                  "restart": "on-failure",
                  "maxRestarts": 0,
                  "minUptime": "0s",
                  "backoff": { "initial": "1s", "max": "1m" },
                  "stopSignal": "int",
                  "killTimeout": "1.5s",
                  "ready": { "http": "/health" },
                  "readyTimeout": "2m",
                  "maxMemory": "1.5G",
                  "dependsOn": []
                }
              ]
            }
            """
        let config = try SupervisorConfig.parse(text: text, path: path)
        XCTAssertEqual(config.envFile, "/srv/stack/secrets/.env.prod")
        XCTAssertEqual(config.logs, LogsConfig(dir: "/var/log/fom", maxSize: 1 << 20, keep: 0, timestamps: true))
        let worker = try XCTUnwrap(config.instance(named: "worker_1"))
        XCTAssertEqual(worker.kind, .process)
        XCTAssertEqual(worker.python, "envs/py/bin/python")
        XCTAssertEqual(worker.port, 8000)
        XCTAssertEqual(worker.address, "0.0.0.0")
        XCTAssertTrue(worker.cvatSync)
        XCTAssertEqual(worker.env.map { "\($0.key)=\($0.value)" }, ["B=2", "A=${B}", "PORT=27017", "DEBUG=false"])
        XCTAssertEqual(worker.cwd, "/srv/stack/work/dir")
        XCTAssertFalse(worker.autostart)
        XCTAssertEqual(worker.restart, .onFailure)
        XCTAssertEqual(worker.maxRestarts, 0)
        XCTAssertEqual(worker.minUptime, .zero)
        XCTAssertEqual(worker.backoff, Backoff(initial: .seconds(1), max: .seconds(60)))
        XCTAssertEqual(worker.stopSignal, .int)
        XCTAssertEqual(worker.killTimeout, .milliseconds(1500))
        XCTAssertEqual(worker.ready, .http(path: "/health"))
        XCTAssertEqual(worker.readyTimeout, .seconds(120))
        XCTAssertEqual(worker.maxMemory, 1_610_612_736)
        XCTAssertEqual(
            worker.resolvedCommand(pythonExists: { _ in
                XCTFail("an explicit python is not probed")
                return true
            }),
            ["/srv/stack/envs/py/bin/python", "worker.py", "--name", "worker_1", "--listen=0.0.0.0:8000", "{unknown}"])
    }

    func testReadyFalseAndKillSignal() throws {
        let text =
            #"{"instances": [{"name": "a", "port": 5151, "ready": false, "stopSignal": "SIGKILL", "maxMemory": null}]}"#
        let instance = try SupervisorConfig.parse(text: text, path: path).instances[0]
        XCTAssertEqual(instance.ready, ReadyCheck.none)
        XCTAssertEqual(instance.stopSignal, .kill)
        XCTAssertNil(instance.maxMemory)
    }

    func testBackoffInitialAloneRaisesTheCap() throws {
        let text =
            #"{"instances": [{"name": "a", "port": 1, "backoff": {"initial": "1m"}}, {"name": "b", "port": 2, "backoff": {"max": "5s"}}]}"#
        let config = try SupervisorConfig.parse(text: text, path: path)
        XCTAssertEqual(config.instances[0].backoff, Backoff(initial: .seconds(60), max: .seconds(60)))
        XCTAssertEqual(config.instances[1].backoff, Backoff(initial: .milliseconds(100), max: .seconds(5)))
    }

    func testEnvFileVariant() throws {
        let config = try SupervisorConfig.parse(text: #"{"envFile": "conf/.env", "instances": []}"#, path: path)
        XCTAssertEqual(config.envFile(selecting: nil), "/srv/stack/conf/.env")
        XCTAssertEqual(config.envFile(selecting: "dev"), "/srv/stack/.env.dev")
    }

    func testReparsedConfigsCompareEqualAndChangesShow() throws {
        let text = #"{"instances": [{"name": "a", "port": 5151, "env": {"X": "1"}}]}"#
        let first = try SupervisorConfig.parse(text: text, path: path)
        XCTAssertEqual(first, try SupervisorConfig.parse(text: text, path: path))
        let changed = try SupervisorConfig.parse(text: text.replacing("\"1\"", with: "\"2\""), path: path)
        XCTAssertNotEqual(first.instances[0], changed.instances[0])
    }

    func testBOMAndCRLF() throws {
        let text = "\u{FEFF}{\r\n  \"instances\": [\r\n    {\"name\": \"a\", \"port\": 70000}\r\n  ]\r\n}\r\n"
        XCTAssertThrowsError(try SupervisorConfig.parse(text: text, path: "supervisor.json")) { error in
            XCTAssertEqual("\(error)", "supervisor.json:3:27: instances[0].port: port 70000 is outside 1-65535")
        }
    }
}
