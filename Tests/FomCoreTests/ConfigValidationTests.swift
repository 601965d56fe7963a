import FomCore
import XCTest

final class ConfigValidationTests: XCTestCase {
    /// Every problem line for `text`, as `fom validate` prints them.
    private func problems(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try SupervisorConfig.parse(text: text, path: "supervisor.json")
            XCTFail("expected the config to be rejected", file: file, line: line)
            return []
        } catch {
            XCTAssertEqual(error.description, error.diagnostics.map(\.description).joined(separator: "\n"))
            return error.diagnostics.map(\.description)
        }
    }

    /// The problems of one instance, written on line 1 as `{"instances": [INSTANCE]}` (so the
    /// instance object starts at column 16).
    private func instanceProblems(_ instance: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        problems(#"{"instances": ["# + instance + "]}", file: file, line: line)
    }

    func testTheExampleOfTheBrief() {
        let text = """
            {
              "instances": [
                {"name": "a", "port": 5151},
                {
                  "name": "b",
                  "port": 70000
                }
              ]
            }
            """
        XCTAssertEqual(problems(text), ["supervisor.json:6:15: instances[1].port: port 70000 is outside 1-65535"])
    }

    func testSyntaxErrorHasNoPath() {
        XCTAssertEqual(
            problems("{\n  \"instances\": [\n    {\"name\": \"a\" \"port\": 1}\n  ]\n}"),
            ["supervisor.json:3:18: expected ',' or '}' after object member"])
        XCTAssertEqual(problems(""), ["supervisor.json:1:1: empty input"])
        XCTAssertEqual(
            problems(#"{"instances": [], "instances": []}"#), [#"supervisor.json:1:19: duplicate key "instances""#])
    }

    func testTopLevel() {
        XCTAssertEqual(problems("[]"), ["supervisor.json:1:1: expected an object, found an array"])
        XCTAssertEqual(
            problems("{}"), ["supervisor.json:1:1: instances: required (a list of instances, which may be empty)"])
        XCTAssertEqual(
            problems(#"{"instances": {}}"#), ["supervisor.json:1:15: instances: expected an array, found an object"])
        XCTAssertEqual(
            problems(#"{"instances": null}"#), ["supervisor.json:1:15: instances: expected an array, found null"])
        XCTAssertEqual(
            problems(#"{"instance": []}"#),
            [
                "supervisor.json:1:1: instances: required (a list of instances, which may be empty)",
                #"supervisor.json:1:2: unknown key "instance"; did you mean "instances"?"#,
            ])
        XCTAssertEqual(
            problems(#"{"envFile": 1, "instances": []}"#), ["supervisor.json:1:13: envFile: expected a string, found 1"]
        )
        XCTAssertEqual(
            problems(#"{"envFile": "", "instances": []}"#), ["supervisor.json:1:13: envFile: must not be empty"])
        XCTAssertEqual(problems(#"{"instances": [], "version": 2}"#), [#"supervisor.json:1:19: unknown key "version""#])
    }

    func testLogs() {
        XCTAssertEqual(
            problems(#"{"logs": [], "instances": []}"#),
            ["supervisor.json:1:10: logs: expected an object, found an array"])
        XCTAssertEqual(
            problems(#"{"logs": {"maxsize": "1M", "keep": -1, "timestamps": "yes", "dir": 3}, "instances": []}"#),
            [
                #"supervisor.json:1:11: logs: unknown key "maxsize"; did you mean "maxSize"?"#,
                "supervisor.json:1:36: logs.keep: must be at least 0, found -1",
                "supervisor.json:1:54: logs.timestamps: expected true or false, found a string",
                "supervisor.json:1:68: logs.dir: expected a string, found 3",
            ])
        XCTAssertEqual(
            problems(#"{"logs": {"maxSize": "10X"}, "instances": []}"#),
            [#"supervisor.json:1:22: logs.maxSize: unknown unit "x" in size "10X"; use K, M, G or T"#])
        XCTAssertEqual(
            problems(#"{"logs": {"maxSize": 0}, "instances": []}"#),
            ["supervisor.json:1:22: logs.maxSize: must be more than 0 bytes"])
        XCTAssertEqual(
            problems(#"{"logs": {"maxSize": "-1M"}, "instances": []}"#),
            [#"supervisor.json:1:22: logs.maxSize: size "-1M" is negative"#])
        XCTAssertEqual(
            problems(#"{"logs": {"keep": 1.5}, "instances": []}"#),
            ["supervisor.json:1:19: logs.keep: expected an integer, found 1.5"])
    }

    func testInstanceMustBeAnObject() {
        XCTAssertEqual(
            instanceProblems(#""a""#), ["supervisor.json:1:16: instances[0]: expected an object, found a string"])
    }

    func testUnknownInstanceKeysSuggestTheRightOne() {
        XCTAssertEqual(
            instanceProblems(
                #"{"name": "a", "port": 1, "cvatsync": true, "autoStart": false, "prot": 2, "dependencies": []}"#),
            [
                #"supervisor.json:1:41: instances[0]: unknown key "cvatsync"; did you mean "cvatSync"?"#,
                #"supervisor.json:1:59: instances[0]: unknown key "autoStart"; did you mean "autostart"?"#,
                #"supervisor.json:1:79: instances[0]: unknown key "prot"; did you mean "port"?"#,
                #"supervisor.json:1:90: instances[0]: unknown key "dependencies""#,
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxRestart": 3, "readyTimout": "1s", "adress": "x"}"#),
            [
                #"supervisor.json:1:41: instances[0]: unknown key "maxRestart"; did you mean "maxRestarts"?"#,
                #"supervisor.json:1:58: instances[0]: unknown key "readyTimout"; did you mean "readyTimeout"?"#,
                #"supervisor.json:1:79: instances[0]: unknown key "adress"; did you mean "address"?"#,
            ])
    }

    func testNames() {
        XCTAssertEqual(instanceProblems(#"{"port": 1}"#), ["supervisor.json:1:16: instances[0].name: required"])
        XCTAssertEqual(
            instanceProblems(#"{"name": 5, "port": 1}"#),
            ["supervisor.json:1:25: instances[0].name: expected a string, found 5"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "", "port": 1}"#),
            ["supervisor.json:1:25: instances[0].name: must not be empty"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "my app", "port": 1}"#),
            [
                #"supervisor.json:1:25: instances[0].name: "my app" is not a valid name: use letters, digits, '_' and '-'"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a/b", "port": 1}"#),
            [#"supervisor.json:1:25: instances[0].name: "a/b" is not a valid name: use letters, digits, '_' and '-'"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "all", "port": 1}"#),
            [#"supervisor.json:1:25: instances[0].name: "all" is reserved: it means every instance"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "42", "port": 1}"#),
            [
                #"supervisor.json:1:25: instances[0].name: "42" would be taken for an instance id; use a name with a letter"#
            ])
        XCTAssertNoThrow(
            try SupervisorConfig.parse(text: #"{"instances": [{"name": "A-z_0-9", "port": 1}]}"#, path: "s"))
    }

    func testDuplicateNamesAndPorts() {
        let text = """
            {"instances": [
              {"name": "a", "port": 5151},
              {"name": "b", "port": 5152},
              {"name": "a", "port": 5151},
              {"name": "c", "kind": "process", "command": ["x"], "port": 5152}
            ]}
            """
        XCTAssertEqual(
            problems(text),
            [
                #"supervisor.json:4:12: instances[2].name: duplicate name "a" (instances[0] has it too)"#,
                #"supervisor.json:4:25: instances[2].port: port 5151 is already used by "a""#,
                #"supervisor.json:5:62: instances[3].port: port 5152 is already used by "b""#,
            ])
    }

    func testPorts() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a"}"#),
            ["supervisor.json:1:16: instances[0].port: required for a fiftyone instance"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 0}"#),
            ["supervisor.json:1:38: instances[0].port: port 0 is outside 1-65535"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 65536}"#),
            ["supervisor.json:1:38: instances[0].port: port 65536 is outside 1-65535"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": -1}"#),
            ["supervisor.json:1:38: instances[0].port: port -1 is outside 1-65535"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 51.5}"#),
            ["supervisor.json:1:38: instances[0].port: port 51.5 is outside 1-65535"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": "5151"}"#),
            ["supervisor.json:1:38: instances[0].port: expected a port number, found a string"])
        XCTAssertNoThrow(
            try SupervisorConfig.parse(
                text: #"{"instances": [{"name": "a", "port": 65535}, {"name": "b", "port": 1}]}"#, path: "s"))
    }

    func testKindAndCommand() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "proces"}"#),
            [#"supervisor.json:1:38: instances[0].kind: unknown kind "proces"; did you mean "process"?"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "docker"}"#),
            [#"supervisor.json:1:38: instances[0].kind: unknown kind "docker"; use "fiftyone" or "process""#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process"}"#),
            ["supervisor.json:1:16: instances[0].command: required for a process instance"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": []}"#),
            ["supervisor.json:1:60: instances[0].command: must not be empty"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": "mongod --port 1"}"#),
            ["supervisor.json:1:60: instances[0].command: expected an array of strings, found a string"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": ["x", 1, null]}"#),
            [
                "supervisor.json:1:66: instances[0].command[1]: expected a string, found 1",
                "supervisor.json:1:69: instances[0].command[2]: expected a string, found null",
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": ["", "x"]}"#),
            ["supervisor.json:1:61: instances[0].command[0]: the program must not be empty"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": ["x", "--port={port}"]}"#),
            [#"supervisor.json:1:66: instances[0].command[1]: {port} needs the instance's "port""#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": ["x\u0000"]}"#),
            ["supervisor.json:1:61: instances[0].command[0]: must not contain a NUL character"])
    }

    func testScalarsOfTheWrongType() {
        XCTAssertEqual(
            instanceProblems(
                #"{"name": "a", "port": 1, "cvatSync": "true", "autostart": 1, "address": "", "python": []}"#),
            [
                "supervisor.json:1:53: instances[0].cvatSync: expected true or false, found a string",
                "supervisor.json:1:74: instances[0].autostart: expected true or false, found 1",
                "supervisor.json:1:88: instances[0].address: must not be empty",
                "supervisor.json:1:102: instances[0].python: expected a string, found an array",
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "cwd": false, "dependsOn": "b"}"#),
            [
                "supervisor.json:1:48: instances[0].cwd: expected a string, found false",
                "supervisor.json:1:68: instances[0].dependsOn: expected an array of strings, found a string",
            ])
    }

    func testEnv() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "env": ["A=1"]}"#),
            ["supervisor.json:1:48: instances[0].env: expected an object of variables, found an array"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "env": {"A": null, "B": {}, "C D": [], "": "x", "E=F": "y"}}"#),
            [
                "supervisor.json:1:54: instances[0].env.A: expected a string, found null",
                "supervisor.json:1:65: instances[0].env.B: expected a string, found an object",
                #"supervisor.json:1:76: instances[0].env["C D"]: expected a string, found an array"#,
                "supervisor.json:1:80: instances[0].env: a variable name must not be empty",
                #"supervisor.json:1:89: instances[0].env: invalid variable name "E=F": no '=' or NUL allowed"#,
            ])
    }

    func testRestartPolicyAndCounts() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "restart": "onFailure"}"#),
            [
                #"supervisor.json:1:52: instances[0].restart: unknown restart policy "onFailure"; did you mean "on-failure"?"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "restart": "sometimes"}"#),
            [
                #"supervisor.json:1:52: instances[0].restart: unknown restart policy "sometimes"; use "always", "on-failure" or "never""#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxRestarts": -1}"#),
            ["supervisor.json:1:56: instances[0].maxRestarts: must be at least 0, found -1"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxRestarts": "3"}"#),
            ["supervisor.json:1:56: instances[0].maxRestarts: expected an integer, found a string"])
    }

    func testDurations() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "minUptime": 5}"#),
            [#"supervisor.json:1:54: instances[0].minUptime: duration needs a unit: ms, s, m or h (e.g. "5s")"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "killTimeout": "5"}"#),
            ["supervisor.json:1:56: instances[0].killTimeout: duration needs a unit: ms, s, m or h"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "killTimeout": "0s"}"#),
            ["supervisor.json:1:56: instances[0].killTimeout: must be longer than 0"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "readyTimeout": "-1s"}"#),
            [#"supervisor.json:1:57: instances[0].readyTimeout: duration "-1s" is negative"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "readyTimeout": "5 sec"}"#),
            [
                #"supervisor.json:1:57: instances[0].readyTimeout: unknown unit "sec" in duration "5 sec"; use ms, s, m or h"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "minUptime": true}"#),
            [#"supervisor.json:1:54: instances[0].minUptime: expected a duration such as "5s", found true"#])
    }

    func testBackoff() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "backoff": "1s"}"#),
            ["supervisor.json:1:52: instances[0].backoff: expected an object, found a string"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "backoff": {"initial": "0ms", "maximum": "1s"}}"#),
            [
                "supervisor.json:1:64: instances[0].backoff.initial: must be longer than 0",
                #"supervisor.json:1:71: instances[0].backoff: unknown key "maximum"; did you mean "max"?"#,
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "backoff": {"initial": "10s", "max": "1s"}}"#),
            ["supervisor.json:1:78: instances[0].backoff.max: must be at least the initial delay (10s)"])
    }

    func testStopSignal() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "stopSignal": "SIGTREM"}"#),
            [#"supervisor.json:1:55: instances[0].stopSignal: unknown signal "SIGTREM"; did you mean "SIGTERM"?"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "stopSignal": "BOOM"}"#),
            [
                #"supervisor.json:1:55: instances[0].stopSignal: unknown signal "BOOM"; use one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2, SIGABRT, SIGALRM"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "stopSignal": "STOP"}"#),
            [
                "supervisor.json:1:55: instances[0].stopSignal: SIGSTOP cannot be used to stop an instance; use one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2, SIGABRT, SIGALRM"
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "stopSignal": 15}"#),
            ["supervisor.json:1:55: instances[0].stopSignal: expected a string, found 15"])
    }

    func testReadyChecks() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": true}"#),
            [
                #"supervisor.json:1:50: instances[0].ready: expected false, {"http": "/path"} or {"tcp": PORT}, found true"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {}}"#),
            [#"supervisor.json:1:50: instances[0].ready: needs "http" or "tcp""#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {"http": "/", "tcp": 1}}"#),
            [#"supervisor.json:1:71: instances[0].ready: use either "http" or "tcp", not both"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {"tcp": 0}}"#),
            ["supervisor.json:1:58: instances[0].ready.tcp: port 0 is outside 1-65535"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {"tcp": "27017"}}"#),
            ["supervisor.json:1:58: instances[0].ready.tcp: expected a port number, found a string"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {"http": "health"}}"#),
            [#"supervisor.json:1:59: instances[0].ready.http: the path must start with '/' (e.g. "/fiftyone")"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "ready": {"htp": "/"}}"#),
            [#"supervisor.json:1:51: instances[0].ready: unknown key "htp"; did you mean "http"?"#])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "kind": "process", "command": ["x"], "ready": {"http": "/"}}"#),
            [#"supervisor.json:1:85: instances[0].ready.http: an http check needs the instance's "port""#])
    }

    func testMaxMemory() {
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxMemory": "lots"}"#),
            [
                #"supervisor.json:1:54: instances[0].maxMemory: invalid size "lots"; write e.g. "512K", "10M", "2G" or a number of bytes"#
            ])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxMemory": "0M"}"#),
            ["supervisor.json:1:54: instances[0].maxMemory: must be more than 0 bytes"])
        XCTAssertEqual(
            instanceProblems(#"{"name": "a", "port": 1, "maxMemory": 1.5}"#),
            ["supervisor.json:1:54: instances[0].maxMemory: expected a whole number of bytes, found 1.5"])
    }

    func testDependsOn() {
        let text = """
            {"instances": [
              {"name": "mongodb", "kind": "process", "command": ["mongod"]},
              {"name": "a", "port": 1, "dependsOn": ["mongo", "a", "mongodb", "mongodb", 3]},
              {"name": "b", "port": 2, "dependsOn": ["nothing"]}
            ]}
            """
        XCTAssertEqual(
            problems(text),
            [
                "supervisor.json:3:78: instances[1].dependsOn[4]: expected a string, found 3",
                #"supervisor.json:4:42: instances[2].dependsOn[0]: unknown instance "nothing""#,
            ])
        let fixed = text.replacing(", 3]", with: "]")
        XCTAssertEqual(
            problems(fixed),
            [
                #"supervisor.json:3:42: instances[1].dependsOn[0]: unknown instance "mongo"; did you mean "mongodb"?"#,
                #"supervisor.json:3:51: instances[1].dependsOn[1]: "a" cannot depend on itself"#,
                #"supervisor.json:3:67: instances[1].dependsOn[3]: "mongodb" is listed twice"#,
                #"supervisor.json:4:42: instances[2].dependsOn[0]: unknown instance "nothing""#,
            ])
    }

    func testDependencyCycles() {
        let twoCycle = """
            {"instances": [
              {"name": "a", "port": 1, "dependsOn": ["b"]},
              {"name": "b", "port": 2, "dependsOn": ["a"]}
            ]}
            """
        XCTAssertEqual(
            problems(twoCycle), ["supervisor.json:3:42: instances[1].dependsOn[0]: dependency cycle: a -> b -> a"])

        let longCycleAndATail = """
            {"instances": [
              {"name": "web", "port": 1, "dependsOn": ["x"]},
              {"name": "x", "port": 2, "dependsOn": ["db", "y"]},
              {"name": "y", "port": 3, "dependsOn": ["z"]},
              {"name": "z", "port": 4, "dependsOn": ["x"]},
              {"name": "db", "port": 5}
            ]}
            """
        XCTAssertEqual(
            problems(longCycleAndATail),
            ["supervisor.json:5:42: instances[3].dependsOn[0]: dependency cycle: x -> y -> z -> x"])

        let twoCycles = """
            {"instances": [
              {"name": "a", "port": 1, "dependsOn": ["b"]},
              {"name": "b", "port": 2, "dependsOn": ["a"]},
              {"name": "c", "port": 3, "dependsOn": ["d"]},
              {"name": "d", "port": 4, "dependsOn": ["c"]}
            ]}
            """
        XCTAssertEqual(
            problems(twoCycles),
            [
                "supervisor.json:3:42: instances[1].dependsOn[0]: dependency cycle: a -> b -> a",
                "supervisor.json:5:42: instances[3].dependsOn[0]: dependency cycle: c -> d -> c",
            ])
    }

    func testEveryProblemIsReportedInFileOrder() {
        let text = """
            {
              "instances": [
                {"name": "a", "port": 99999, "restart": "nope"},
                {"name": "a", "port": 5151, "dependsOn": ["zzz"]}
              ],
              "logs": {"keep": -2}
            }
            """
        let lines = problems(text)
        XCTAssertEqual(
            lines,
            [
                "supervisor.json:3:27: instances[0].port: port 99999 is outside 1-65535",
                #"supervisor.json:3:45: instances[0].restart: unknown restart policy "nope"; use "always", "on-failure" or "never""#,
                #"supervisor.json:4:14: instances[1].name: duplicate name "a" (instances[0] has it too)"#,
                #"supervisor.json:4:47: instances[1].dependsOn[0]: unknown instance "zzz""#,
                "supervisor.json:6:20: logs.keep: must be at least 0, found -2",
            ])
    }

    func testErrorKeepsTheFileNameAsGiven() {
        do {
            _ = try SupervisorConfig.parse(text: "{", path: "/etc/fom/../fom/supervisor.json")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.first.file, "/etc/fom/../fom/supervisor.json")
            XCTAssertEqual(error.first.position, JSONPosition(line: 1, column: 2))
            XCTAssertEqual(error.first.path, "")
            XCTAssertEqual(error.description, "/etc/fom/../fom/supervisor.json:1:2: expected a string key or '}'")
        }
    }
}

final class ConfigAddressTests: XCTestCase {
    func testAddressMustBeIPv4() throws {
        for good in ["127.0.0.1", "0.0.0.0", "10.1.2.3", "localhost"] {
            XCTAssertNoThrow(
                try SupervisorConfig.parse(
                    text: "{\"instances\": [{\"name\": \"a\", \"port\": 5151, \"address\": \"\(good)\"}]}",
                    path: "/x/supervisor.json"), good)
        }
        for bad in ["::1", "example.com", "1.2.3", "256.1.1.1", "1.2.3.4.5"] {
            do {
                _ = try SupervisorConfig.parse(
                    text: "{\"instances\": [{\"name\": \"a\", \"port\": 5151, \"address\": \"\(bad)\"}]}",
                    path: "/x/supervisor.json")
                XCTFail("\(bad) accepted")
            } catch {
                XCTAssertEqual(
                    error.description,
                    "/x/supervisor.json:1:55: instances[0].address: \"\(bad)\" is not an IPv4 address (such as 127.0.0.1 or 0.0.0.0); IPv6 and host names are not supported yet"
                )
            }
        }
    }
}
