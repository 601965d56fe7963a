import Glibc
import SystemKit
import XCTest

/// /proc/PID/stat read as bytes: fields are counted after the last `)`, since a command name
/// may hold spaces and parentheses.
final class ProcStatParsingTests: XCTestCase {
    /// A real line of this machine's kernel, with a command name that looks like more fields.
    let line = Array(
        "4242 (sl) (e p) 1) S 17 4242 4242 0 -1 4194560 118 0 0 0 7 3 0 0 20 0 1 0 987654 2473984 211 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
            .utf8)

    func testFieldsAreReadAfterTheLastParenthesis() throws {
        let stat = try XCTUnwrap(ProcFS.parseStat(line))
        XCTAssertEqual(stat.state, "S")
        XCTAssertEqual(stat.ppid, 17)
        XCTAssertEqual(stat.pgrp, 4242)
        XCTAssertEqual(stat.session, 4242)
        XCTAssertEqual(stat.cpuTicks, 10)
        XCTAssertEqual(stat.startTime, 987654)
        XCTAssertEqual(stat.rssPages, 211)
        XCTAssertTrue(stat.isLive)
    }

    func testAZombieIsNotLive() throws {
        var zombie = line
        let state = try XCTUnwrap(zombie.firstIndex(of: UInt8(ascii: "S")))
        zombie[state] = UInt8(ascii: "Z")
        XCTAssertFalse(try XCTUnwrap(ProcFS.parseStat(zombie)).isLive)
    }

    func testATruncatedLineIsNoStat() {
        XCTAssertNil(ProcFS.parseStat(Array("4242 (sleep) S 17 4242 4242 0 -1\n".utf8)))
        XCTAssertNil(ProcFS.parseStat(Array("4242 sleep S 17".utf8)))
        XCTAssertNil(ProcFS.parseStat([]))
    }

    func testTheDaemonsOwnStatMatchesItsPid() throws {
        let stat = try XCTUnwrap(ProcFS.stat(ProcFS.ownPid))
        XCTAssertEqual(stat.ppid, getppid())
        XCTAssertGreaterThan(stat.startTime, 0)
        XCTAssertGreaterThan(stat.rssPages, 0)
    }
}
