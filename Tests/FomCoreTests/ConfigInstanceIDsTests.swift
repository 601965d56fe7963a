import FomCore
import XCTest

final class ConfigInstanceIDsTests: XCTestCase {
    func testFirstRunCountsFromZeroInOrder() {
        var ids = InstanceIDs()
        XCTAssertEqual(ids.assign(["mongodb", "annotate", "review"]), [0, 1, 2])
        XCTAssertEqual(ids["annotate"], 1)
        XCTAssertEqual(ids.name(for: 2), "review")
        XCTAssertEqual(ids.nextID, 3)
    }

    func testKnownNamesKeepTheirIdsWhateverTheOrder() {
        var ids = InstanceIDs()
        ids.assign(["a", "b", "c"])
        XCTAssertEqual(ids.assign(["c", "new", "a", "b"]), [2, 3, 0, 1])
    }

    func testRemovedIdsAreNeverReused() {
        var ids = InstanceIDs()
        ids.assign(["a", "b", "c"])
        XCTAssertEqual(ids.assign(["a", "c"]), [0, 2])
        XCTAssertNil(ids["b"])
        XCTAssertNil(ids.name(for: 1))
        XCTAssertEqual(ids.assign(["a", "c", "d"]), [0, 2, 3])
        // The same name added back is a new instance with a new id.
        XCTAssertEqual(ids.assign(["a", "c", "d", "b"]), [0, 2, 3, 4])
        XCTAssertEqual(ids.assign([]), [])
        XCTAssertEqual(ids.assign(["x"]), [5])
    }

    func testRestoredFromState() {
        var ids = InstanceIDs(byName: ["a": 4, "b": 7], nextID: 9)
        XCTAssertEqual(ids.assign(["b", "c", "a"]), [7, 9, 4])
        XCTAssertEqual(ids.nextID, 10)
        var stale = InstanceIDs(byName: ["a": 4], nextID: 2)
        XCTAssertEqual(stale.nextID, 5, "a stored next id below a stored id is raised")
        XCTAssertEqual(stale.assign(["a", "z"]), [4, 5])
        XCTAssertEqual(stale, InstanceIDs(byName: ["a": 4, "z": 5], nextID: 6))
    }

    func testDuplicateNamesShareOneId() {
        var ids = InstanceIDs()
        XCTAssertEqual(ids.assign(["a", "a"]), [0, 0])
    }
}
