import Foundation
import SystemKit
import XCTest

@testable import FomDaemon

/// A disk that fills mid-write: whole lines are dropped, none is cut, and no line is joined to
/// the next; the error count goes back to zero once writes land again. The disk is made "full"
/// with RLIMIT_FSIZE, which cuts a write short at the limit and fails the next with EFBIG: the
/// same short-write-then-error sequence a full disk gives.
final class LogFileFullDiskTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "fom-fulldisk-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func withFileSizeLimit(_ bytes: Int, _ body: () -> Void) {
        var old = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
        let previous = signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: old.rlim_max)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit), 0)
        body()
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
        signal(SIGXFSZ, previous)
    }

    func testFullDiskDropsWholeLinesAndNeverJoinsTwo() throws {
        let directory = try Directory.openTrusted(dir, createMode: nil)
        let log = LogFile(directory: directory, name: "app.out.log", maxSize: 1 << 20, keep: 1, timestamps: false)
        log.append(Array("first line\n".utf8)[...])
        withFileSizeLimit(20) {
            // Cut short after 9 of its 24 bytes, then the rest fails: the 9 bytes are taken back,
            // so a short line still fits after it, whole.
            log.append(Array("second line is too long\n".utf8)[...])
            log.append(Array("third\n".utf8)[...])
            log.appendLine("2026-11-30T04:36:02.000Z fom: an event")
            XCTAssertGreaterThan(log.errors, 0)
            XCTAssertNotNil(log.lastError)
        }
        log.append(Array("fourth line\n".utf8)[...])
        XCTAssertEqual(log.errors, 0, "the count resets once a write lands")
        XCTAssertNil(log.lastError)
        let text = try String(contentsOfFile: dir + "/app.out.log", encoding: .utf8)
        XCTAssertEqual(text, "first line\nthird\nfourth line\n")
    }

    func testEventLogLineCutByFullDiskLeavesNoFragment() throws {
        let directory = try Directory.openTrusted(dir, createMode: nil)
        let log = LogFile(directory: directory, name: "fom.log", maxSize: 1 << 20, keep: 1, timestamps: false)
        withFileSizeLimit(10) {
            log.appendLine("2026-11-30T04:36:02.000Z fom: daemon started")
        }
        log.appendLine("2026-11-30T04:36:03.000Z fom: next")
        let text = try String(contentsOfFile: dir + "/fom.log", encoding: .utf8)
        XCTAssertEqual(text, "2026-11-30T04:36:03.000Z fom: next\n")
    }
}
