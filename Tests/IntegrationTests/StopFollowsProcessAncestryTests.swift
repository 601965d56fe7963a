import Foundation
import XCTest

/// A grandchild that leaves the session and clears its environment (`setsid env -i ...`) carries
/// no marker; while the daemon lives it is found by pid ancestry and stopped with its instance.
final class StopFollowsProcessAncestryTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testGrandchildThatClearedItsEnvironmentIsStoppedWithItsInstance() throws {
        let token = "3031.\(UInt32.random(in: 1...UInt32.max))"
        harness = try FomHarness(
            config: """
                { "instances": [{"name": "parent", "kind": "process", "killTimeout": "1s",
                  "command": ["/bin/sh", "-c", "setsid env -i /bin/sleep \(token) & exec sleep 3032"]}] }
                """)
        let h = harness!
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("the grandchild runs") { FomHarness.pids(withToken: token).count == 1 }
        let grandchild = FomHarness.pids(withToken: token)[0]
        let environ = FileManager.default.contents(atPath: "/proc/\(grandchild)/environ") ?? Data()
        XCTAssertFalse(String(decoding: environ, as: UTF8.self).contains("FOM_TREE="), "it has no marker")
        XCTAssertEqual(h.fom("stop", "parent").code, 0)
        h.waitUntil("the grandchild is gone", timeout: 10) { !FomHarness.isAlive(grandchild) }
    }
}
