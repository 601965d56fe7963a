import FomCore
import XCTest

final class ConfigDependencyOrderTests: XCTestCase {
    private func order(_ graph: [(String, [String])]) -> [String] {
        let dependencies = Dictionary(uniqueKeysWithValues: graph)
        return DependencyOrder.startOrder(names: graph.map(\.0)) { dependencies[$0] ?? [] }
    }

    func testFileOrderWhenNothingDepends() {
        XCTAssertEqual(order([("a", []), ("b", []), ("c", [])]), ["a", "b", "c"])
    }

    func testDependenciesComeFirst() {
        XCTAssertEqual(
            order([("web", ["api"]), ("api", ["db", "cache"]), ("cache", []), ("db", [])]),
            ["db", "cache", "api", "web"])
        XCTAssertEqual(order([("a", ["c"]), ("b", []), ("c", [])]), ["c", "a", "b"])
    }

    func testUnknownNamesAndCyclesDoNotBreakIt() {
        XCTAssertEqual(order([("a", ["ghost", "b"]), ("b", ["a"])]), ["b", "a"])
        XCTAssertEqual(order([("a", ["a"])]), ["a"])
    }

    func testLongChainNeedsNoDeepStack() {
        let count = 20_000
        let graph = (0..<count).map { ("n\($0)", $0 + 1 < count ? ["n\($0 + 1)"] : []) }
        let result = order(graph)
        XCTAssertEqual(result.first, "n\(count - 1)")
        XCTAssertEqual(result.last, "n0")
    }

    func testCycles() {
        let graph: [String: [String]] = ["a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["d"], "e": ["a"]]
        let cycles = DependencyOrder.cycles(names: ["e", "a", "b", "c", "d"]) { graph[$0] ?? [] }
        XCTAssertEqual(cycles, [["a", "b", "c", "a"]])
    }

    func testConfigOrders() throws {
        let text = """
            {"instances": [
              {"name": "annotate", "port": 5151, "dependsOn": ["mongodb"]},
              {"name": "review", "port": 5152, "dependsOn": ["mongodb", "annotate"]},
              {"name": "mongodb", "kind": "process", "command": ["mongod"]}
            ]}
            """
        let config = try SupervisorConfig.parse(text: text, path: "/s/supervisor.json")
        XCTAssertEqual(config.startOrder.map(\.name), ["mongodb", "annotate", "review"])
        XCTAssertEqual(config.stopOrder.map(\.name), ["review", "annotate", "mongodb"])
    }
}
