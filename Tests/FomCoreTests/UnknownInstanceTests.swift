import FomCore
import XCTest

/// Every command answers an id or name that names no instance the same way.
final class UnknownInstanceTests: XCTestCase {
    let known: [(id: Int, name: String)] = [(0, "annotate"), (1, "review"), (2, "mongodb")]

    func testUnknownIdListsTheKnownIdsAndNames() {
        XCTAssertEqual(
            UnknownInstance.message("9", known: known),
            #"unknown instance "9" (known: 0 annotate, 1 review, 2 mongodb)"#)
    }

    func testCloseNameGetsADidYouMeanAndTheList() {
        XCTAssertEqual(
            UnknownInstance.message("reviw", known: known),
            #"unknown instance "reviw"; did you mean "review"? (known: 0 annotate, 1 review, 2 mongodb)"#)
    }

    func testNoInstancesIsSaid() {
        XCTAssertEqual(UnknownInstance.message("x", known: []), #"unknown instance "x" (there are no instances)"#)
    }
}
