import FomCore
import XCTest

/// What a daemon started after a crash does with the write the dead one had under way: the log
/// file alone tells whether it landed whole, in part, or not at all.
final class CaptureSlotTests: XCTestCase {
    /// A write of 30 bytes to inode 7 at size 100, covering the spool up to 500 (from 470).
    let armed = CaptureSlot(processed: 470, armedEnd: 500, logInode: 7, logSizeBefore: 100, logLength: 30)

    func testAnEntryWithNoWriteUnderWayNeedsNothing() {
        let idle = CaptureSlot(processed: 500, armedEnd: 500, logInode: 7, logSizeBefore: 100, logLength: 30)
        XCTAssertFalse(idle.isArmed)
        XCTAssertEqual(idle.settle(logInode: 7, logSize: 0), .nothingPending)
        XCTAssertEqual(idle.settled(.nothingPending), idle)
    }

    func testAWholeWriteInTheSameFileLanded() {
        XCTAssertEqual(armed.settle(logInode: 7, logSize: 130), .landed)
        let next = armed.settled(.landed)
        XCTAssertEqual(next.processed, 500)
        XCTAssertFalse(next.isArmed)
    }

    func testAWriteNotInTheFileIsWrittenAgain() {
        XCTAssertEqual(armed.settle(logInode: 7, logSize: 100), .redo(truncateTo: nil))
        let next = armed.settled(.redo(truncateTo: nil))
        XCTAssertEqual(next.processed, 470)
        XCTAssertFalse(next.isArmed)
    }

    func testPartOfAWriteIsCutAwayAndWrittenAgain() {
        XCTAssertEqual(armed.settle(logInode: 7, logSize: 112), .redo(truncateTo: 100))
        XCTAssertEqual(armed.settled(.redo(truncateTo: 100)).processed, 470)
    }

    func testAnotherFileOrNoFileMeansTheWriteGoesToTheFileThereIsNow() {
        XCTAssertEqual(armed.settle(logInode: 8, logSize: 5000), .redo(truncateTo: nil))
        XCTAssertEqual(armed.settle(logInode: nil, logSize: nil), .redo(truncateTo: nil))
    }

    /// Someone else cut the log shorter than it was before the write: fom cuts nothing more.
    func testALogShorterThanBeforeTheWriteIsNotCutFurther() {
        XCTAssertEqual(armed.settle(logInode: 7, logSize: 40), .redo(truncateTo: nil))
    }
}
