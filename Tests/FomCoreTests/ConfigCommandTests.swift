import FomCore
import XCTest

final class ConfigCommandTests: XCTestCase {
    private func instance(_ json: String) throws -> InstanceConfig {
        try SupervisorConfig.parse(text: #"{"instances": ["# + json + "]}", path: "/home/u/stack/supervisor.json")
            .instances[0]
    }

    func testFiftyOneDefaultUsesTheVenvWhenItExists() throws {
        let annotate = try instance(#"{"name": "annotate", "port": 5151, "address": "0.0.0.0"}"#)
        var probed: [String] = []
        let argv = annotate.resolvedCommand(pythonExists: {
            probed.append($0)
            return true
        })
        XCTAssertEqual(probed, ["/home/u/stack/.venv/bin/python"])
        XCTAssertEqual(
            argv,
            ["/home/u/stack/.venv/bin/python", "-m", "fiftyone.server.main", "--port", "5151", "--address", "0.0.0.0"])
        XCTAssertEqual(annotate.resolvedCommand(pythonExists: { _ in false })[0], "python3")
    }

    func testExplicitPython() throws {
        let relative = try instance(#"{"name": "a", "port": 1, "python": "../envs/fo/bin/python"}"#)
        XCTAssertEqual(relative.resolvedCommand(pythonExists: { _ in true })[0], "/home/u/envs/fo/bin/python")
        let bare = try instance(#"{"name": "a", "port": 1, "python": "python3.11"}"#)
        XCTAssertEqual(bare.resolvedCommand(pythonExists: { _ in true })[0], "python3.11")
        let absolute = try instance(#"{"name": "a", "port": 1, "python": "/opt/py/bin/python"}"#)
        XCTAssertEqual(absolute.pythonPath(pythonExists: { _ in false }), "/opt/py/bin/python")
    }

    func testPlaceholdersInsideArgumentsAndUnknownOnesLeftAlone() throws {
        let worker = try instance(
            #"{"name": "w", "kind": "process", "port": 9000, "command": ["bin/run", "--url=http://{address}:{port}/{name}", "{port}{port}", "{nope}", "{", "}{", "{{port}}", "{python}", "a b; rm -rf /"]}"#
        )
        XCTAssertEqual(
            worker.resolvedCommand(pythonExists: { _ in false }),
            [
                "/home/u/stack/bin/run", "--url=http://127.0.0.1:9000/w", "90009000", "{nope}", "{", "}{", "{9000}",
                "python3", "a b; rm -rf /",
            ])
    }

    func testProgramPathsResolveAgainstTheConfigDirectoryNotTheCwd() throws {
        let mongo = try instance(
            #"{"name": "m", "kind": "process", "cwd": "/tmp", "command": ["./bin/mongod", "./data"]}"#)
        XCTAssertEqual(mongo.resolvedCommand(pythonExists: { _ in false }), ["/home/u/stack/bin/mongod", "./data"])
        let onPath = try instance(#"{"name": "m", "kind": "process", "command": ["mongod"]}"#)
        XCTAssertEqual(onPath.resolvedCommand(pythonExists: { _ in false }), ["mongod"])
        let shell = try instance(#"{"name": "m", "kind": "process", "command": ["sh", "-c", "echo {name} $HOME"]}"#)
        XCTAssertEqual(shell.resolvedCommand(pythonExists: { _ in false }), ["sh", "-c", "echo m $HOME"])
    }

    func testPythonIsNotProbedWhenTheCommandDoesNotUseIt() throws {
        let plain = try instance(#"{"name": "m", "kind": "process", "command": ["mongod"]}"#)
        _ = plain.resolvedCommand(pythonExists: { _ in
            XCTFail("probed")
            return false
        })
    }

    func testTemplateExpansion() {
        XCTAssertEqual(CommandTemplate.expand("{a}-{b}-{c}", ["a": "1", "b": "{a}"]), "1-{a}-{c}")
        XCTAssertEqual(CommandTemplate.expand("no braces", ["a": "1"]), "no braces")
        XCTAssertEqual(CommandTemplate.expand("{é}{a}", ["a": "ü"]), "{é}ü")
    }

    func testBuiltInstance() {
        var instance = InstanceConfig(name: "db", kind: .process, configDirectory: "/srv")
        XCTAssertEqual(instance.command, [])
        XCTAssertEqual(instance.ready, ReadyCheck.none)
        XCTAssertEqual(instance.killTimeout, .seconds(10))
        instance.command = ["mongod", "--port", "{port}"]
        XCTAssertEqual(instance.resolvedCommand(pythonExists: { _ in false }), ["mongod", "--port", "{port}"])
        instance.port = 27017
        XCTAssertEqual(instance.resolvedCommand(pythonExists: { _ in false }), ["mongod", "--port", "27017"])
    }
}
