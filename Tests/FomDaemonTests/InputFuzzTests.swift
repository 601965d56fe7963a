import FomCore
import FomProtocol
import FomRuntime
import XCTest

/// Random and mutated input for everything fom reads from outside: the `.env` parser, the
/// supervisor.json loader, the state file loader and the control protocol. Never a crash or a
/// hang; every rejection is an error that says where (a line, a line and column, or a key).
///
/// 200,000 cases in all by default (the slower parsers get fewer); `FOM_FUZZ_CASES=N` runs N per
/// parser and `FOM_FUZZ_SEED=S` replays a run (the seed is printed when a case fails).
final class InputFuzzTests: XCTestCase {
    /// SplitMix64: small, fast and the same on every machine, so a failing seed replays.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Bytes that matter to one of the grammars, and a few that no grammar expects.
    static let alphabet: [UInt8] =
        Array(#"{}[]",:\$#='` \n\r\t-+.0123456789eE_aAzZ"#.utf8) + [0, 0x7F, 0xC3, 0xA9, 0xFF, 0xE2]

    static func cases(_ byDefault: Int) -> Int {
        Int(ProcessInfo.processInfo.environment["FOM_FUZZ_CASES"] ?? "") ?? byDefault
    }
    static var seed: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["FOM_FUZZ_SEED"] ?? "") ?? 0x666F_6D00
    }

    /// Runs `check` on random and mutated variants of `seeds`.
    func fuzz(_ name: String, cases: Int, seeds: [String], _ check: ([UInt8]) -> String?) {
        var random = Generator(state: Self.seed ^ UInt64(name.utf8.count))
        let corpus = seeds.map { Array($0.utf8) }
        var failures = 0
        for i in 0..<Self.cases(cases) {
            var input: [UInt8]
            if i % 5 == 0 {
                input = (0..<random.below(64)).map { _ in Self.alphabet[random.below(Self.alphabet.count)] }
            } else {
                input = corpus[random.below(corpus.count)]
                for _ in 0...random.below(4) { mutate(&input, &random, corpus) }
            }
            if let problem = check(input) {
                failures += 1
                if failures <= 5 {
                    XCTFail(
                        "\(name) case \(i) (FOM_FUZZ_SEED=\(Self.seed)): \(problem) for \(String(decoding: input, as: UTF8.self).debugDescription)"
                    )
                }
            }
        }
    }

    func mutate(_ input: inout [UInt8], _ random: inout Generator, _ corpus: [[UInt8]]) {
        let position = input.isEmpty ? 0 : random.below(input.count + 1)
        switch random.below(6) {
        case 0 where !input.isEmpty && position < input.count:
            input[position] = Self.alphabet[random.below(Self.alphabet.count)]
        case 1:
            input.insert(Self.alphabet[random.below(Self.alphabet.count)], at: position)
        case 2 where !input.isEmpty:
            let end = min(input.count, position + random.below(8) + 1)
            if position < end { input.removeSubrange(position..<end) }
        case 3 where !input.isEmpty:
            let end = min(input.count, position + random.below(16) + 1)
            if position < end { input.insert(contentsOf: input[position..<end], at: position) }
        case 4:
            let other = corpus[random.below(corpus.count)]
            let from = random.below(other.count + 1)
            input.insert(contentsOf: other[from...].prefix(random.below(24)), at: position)
        default:
            // Numbers at the edges: the values that trapped before.
            let numbers = [
                "-5", "99999999999", "9223372036854775807", "-9223372036854775808", "1e400", "0", "2562047h47m",
            ]
            input.insert(contentsOf: Array(numbers[random.below(numbers.count)].utf8), at: position)
        }
    }

    func testDotEnvParserNeverCrashesAndLocatesEveryError() {
        let seeds = [
            "CVAT_URL=http://localhost:8080\nCVAT_USERNAME=admin\nCVAT_PASSWORD=\"pw # not a comment\"\n",
            "export A=1\nB='single $A'\nC=\"double ${A:-x} \\n\"\n# comment\nD=${MISSING-default}\n",
            "A=\"multi\nline\"\nB=${A}\nC=$$literal\nE=${F:?required}\n",
        ]
        fuzz("dotenv", cases: 50_000, seeds: seeds) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try DotEnv.parse(text, file: ".env", lookup: { $0 == "HOME" ? "/root" : nil })
                return nil
            } catch let error as DotEnvError {
                if error.file != ".env" || error.line < 1 || error.line > lines + 1 {
                    return "error without a line: \(error)"
                }
                if error.message.isEmpty { return "empty message" }
                return nil
            } catch {
                return "unexpected error type: \(error)"
            }
        }
    }

    func testSupervisorConfigLoaderNeverCrashesAndLocatesEveryError() {
        let seeds = [
            #"{"envFile": ".env", "logs": {"maxSize": "10M", "keep": 5}, "instances": [{"name": "web", "kind": "process", "port": 5151, "command": ["/bin/sleep", "{port}"], "killTimeout": "5s", "dependsOn": ["db"]}, {"name": "db", "kind": "process", "command": ["/bin/true"], "ready": {"tcp": 27017}}]}"#,
            #"{"instances": [{"name": "app", "kind": "fiftyone", "port": 5151, "cvatSync": true, "env": {"A": "1", "B": 2}, "backoff": {"initial": "1s", "max": "1m"}, "maxMemory": "1G", "restart": "on-failure", "maxRestarts": 3}]}"#,
        ]
        fuzz("supervisor.json", cases: 25_000, seeds: seeds) { bytes in
            do {
                _ = try SupervisorConfig.parse(
                    text: String(decoding: bytes, as: UTF8.self), path: "/srv/supervisor.json")
                return nil
            } catch let error as ConfigError {
                for d in error.diagnostics where d.position.line < 1 || d.position.column < 1 || d.message.isEmpty {
                    return "diagnostic without a position: \(d)"
                }
                return nil
            } catch {
                return "unexpected error type: \(error)"
            }
        }
    }

    func testStateFileLoaderNeverCrashesAndNamesWhereEveryErrorIs() {
        var store = StateStore()
        store.ids.assign(["a", "b", "c"])
        store.wanted = ["a": true, "b": false]
        store.running = ["a": .init(pid: 4242, startTime: 123_456)]
        let seeds = [
            store.json.serialized(pretty: true),
            #"{"version":1,"nextId":3,"ids":{"a":0,"b":1,"c":2},"instances":{"c":{"wanted":"up","pid":7,"startTime":9}}}"#,
        ]
        fuzz("state.json", cases: 50_000, seeds: seeds) { bytes in
            do {
                let parsed = try StateStore.parse(bytes)
                // What is accepted is usable: ids unique, numbers in range.
                if Set(parsed.ids.byName.values).count != parsed.ids.byName.count { return "duplicate ids accepted" }
                if parsed.running.values.contains(where: { $0.pid <= 0 }) { return "pid out of range accepted" }
                var copy = parsed.ids
                _ = copy.assign(["a", "b", "new"])
                return nil
            } catch let error as StateStore.Problem {
                let text = error.description
                let located = text.contains(":") || text.contains(".") || text.contains("not a JSON object")
                return located && !text.isEmpty ? nil : "error without a place: \(text)"
            } catch {
                return "unexpected error type: \(error)"
            }
        }
    }

    func testControlProtocolNeverCrashesAndExplainsEveryRefusal() {
        let seeds = [
            #"{"cmd":"stop","targets":["web","all","3"],"wait":false}"#,
            #"{"cmd":"ping"}"#,
            #"{"cmd":"env","targets":["annotate"]}"#,
        ]
        fuzz("control protocol", cases: 75_000, seeds: seeds) { bytes in
            do {
                let request = try Request(line: bytes)
                return Request.Command(rawValue: request.command.rawValue) == nil ? "unknown command accepted" : nil
            } catch let error as ProtocolError {
                return error.message.isEmpty ? "empty error" : nil
            } catch {
                return "unexpected error type: \(error)"
            }
        }
    }
}
