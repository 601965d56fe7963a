import FomCore
import XCTest

final class ConfigDiscoveryTests: XCTestCase {
    private func locate(
        explicit: String? = nil, environment: [String: String] = [:], cwd: String, files: Set<String> = []
    ) -> String? {
        ConfigDiscovery.locate(
            explicit: explicit, environment: environment, cwd: cwd, fileExists: { files.contains($0) })
    }

    func testExplicitPathWinsAndIsMadeAbsolute() {
        XCTAssertEqual(
            locate(
                explicit: "../conf/./fom.json", environment: ["FOM_CONFIG": "/etc/x.json"], cwd: "/home/u/app",
                files: ["/home/u/app/supervisor.json"]),
            "/home/u/conf/fom.json")
        XCTAssertEqual(locate(explicit: "/abs/supervisor.json", cwd: "/"), "/abs/supervisor.json")
    }

    func testEnvironmentVariableComesNext() {
        XCTAssertEqual(
            locate(
                environment: ["FOM_CONFIG": "cfg/supervisor.json"], cwd: "/home/u", files: ["/home/u/supervisor.json"]),
            "/home/u/cfg/supervisor.json")
        XCTAssertEqual(
            locate(explicit: "", environment: ["FOM_CONFIG": ""], cwd: "/home/u", files: ["/home/u/supervisor.json"]),
            "/home/u/supervisor.json", "empty values count as unset")
    }

    func testSearchesUpwardLikeGit() {
        let files: Set<String> = ["/srv/stack/supervisor.json", "/supervisor.json"]
        XCTAssertEqual(locate(cwd: "/srv/stack", files: files), "/srv/stack/supervisor.json")
        XCTAssertEqual(locate(cwd: "/srv/stack/examples/deep/", files: files), "/srv/stack/supervisor.json")
        XCTAssertEqual(locate(cwd: "/srv/stack/a/../b", files: files), "/srv/stack/supervisor.json")
        XCTAssertEqual(locate(cwd: "/srv/other", files: files), "/supervisor.json")
        XCTAssertEqual(locate(cwd: "/", files: files), "/supervisor.json")
    }

    func testNothingFound() {
        var probed: [String] = []
        let found = ConfigDiscovery.locate(
            explicit: nil, environment: [:], cwd: "/a/b",
            fileExists: {
                probed.append($0)
                return false
            })
        XCTAssertNil(found)
        XCTAssertEqual(probed, ["/a/b/supervisor.json", "/a/supervisor.json", "/supervisor.json"])
    }
}
