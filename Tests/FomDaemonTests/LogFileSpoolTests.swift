import Foundation
import Glibc
import SystemKit
import XCTest

@testable import FomDaemon

/// Capture through a spool: bytes are spliced from the pipe into the spool and written from
/// there, with the journal entry armed around each write; a partial line waits in the spool.
final class LogFileSpoolTests: XCTestCase {
    var dir: String!
    var journal: CaptureJournal!
    var buffer: UnsafeMutableRawBufferPointer!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "fom-spool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        journal = try CaptureJournal.create()
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    }

    override func tearDown() {
        buffer.deallocate()
        FileDescriptor.close(journal.fd)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func logFile(_ name: String, maxSize: Int = 1 << 30, keep: Int = 3, timestamps: Bool = false) throws -> LogFile {
        LogFile(
            directory: try Directory.openTrusted(dir, createMode: nil), name: name, maxSize: maxSize, keep: keep,
            timestamps: timestamps)
    }

    /// A non-blocking pipe (read end, write end).
    func makePipe() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        FileDescriptor.setNonBlocking(fds[0])
        return (fds[0], fds[1])
    }

    func newSpool() throws -> StreamSpool {
        StreamSpool(fd: try Spool.create(named: "test-spool"), slot: journal.allocate()!, end: 0)
    }

    /// Everything in the pipe now, through the spool into the log.
    func pump(_ pipe: Int32, _ spool: inout StreamSpool, _ log: LogFile, final: Bool = false) {
        while case .data = Spool.take(from: pipe, into: spool.fd, end: &spool.end, max: buffer.count) {
            log.drain(&spool, journal: journal, buffer: buffer, final: false)
        }
        if final { log.drain(&spool, journal: journal, buffer: buffer, final: true) }
    }

    func read(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    func testWholeLinesAreWrittenAndAPartialLineWaitsInTheSpool() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        var spool = try newSpool()
        let log = try logFile("a.log")
        try FileDescriptor.writeAll(w, "one\ntwo\nthr")
        pump(r, &spool, log)
        XCTAssertEqual(read("a.log"), "one\ntwo\n")
        XCTAssertEqual(journal.processed(spool.slot), 8, "processed up to the last whole line")
        XCTAssertEqual(spool.end, 11, "the half line is in the spool")
        XCTAssertTrue(log.partial.isEmpty, "and not in the daemon's memory")
        try FileDescriptor.writeAll(w, "ee\nfou")
        pump(r, &spool, log)
        XCTAssertEqual(read("a.log"), "one\ntwo\nthree\n")
        pump(r, &spool, log, final: true)
        XCTAssertEqual(read("a.log"), "one\ntwo\nthree\nfou\n", "the end of the stream closes the last line")
        XCTAssertFalse(journal[spool.slot].isArmed)
    }

    /// What a daemon killed between a log write and its commit leaves: the spool holds `taken`
    /// (all of it the write), the log `name` holds `logged` (the write, whole or in part), and the
    /// journal entry is armed for the whole write to an empty log.
    func crashedWrite(_ name: String, taken: String, logged: String) throws -> (
        pipe: (Int32, Int32), spool: StreamSpool
    ) {
        let (r, w) = makePipe()
        var spool = try newSpool()
        try FileDescriptor.writeAll(w, taken)
        _ = Spool.take(from: r, into: spool.fd, end: &spool.end, max: buffer.count)
        try logged.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
        let inode = (try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.systemFileNumber] as! NSNumber)
            .int64Value
        let length = Int64(taken.utf8.count)
        journal.arm(spool.slot, end: length, logInode: inode, logSizeBefore: 0, length: length)
        return ((r, w), spool)
    }

    /// The dead daemon's write is in the log whole: the next daemon goes on after it.
    func testAWriteThatLandedBeforeACrashIsNotWrittenAgain() throws {
        var (pipe, spool) = try crashedWrite("b.log", taken: "alpha\nbeta\n", logged: "alpha\nbeta\n")
        defer { close(pipe.0); close(pipe.1) }
        let next = try logFile("b.log")
        next.settle(journal, slot: spool.slot)
        XCTAssertEqual(journal.processed(spool.slot), 11)
        try FileDescriptor.writeAll(pipe.1, "gamma\n")
        pump(pipe.0, &spool, next)
        XCTAssertEqual(read("b.log"), "alpha\nbeta\ngamma\n")
    }

    /// Half of the dead daemon's write is in the log: it is cut away and written again whole.
    func testAWriteCutShortByACrashIsWrittenAgainWhole() throws {
        var (pipe, spool) = try crashedWrite("c.log", taken: "first\nsecond\n", logged: "first\nsec")
        defer { close(pipe.0); close(pipe.1) }
        let next = try logFile("c.log")
        next.settle(journal, slot: spool.slot)
        XCTAssertEqual(journal.processed(spool.slot), 0)
        XCTAssertEqual(read("c.log"), "")
        next.drain(&spool, journal: journal, buffer: buffer, final: false)
        XCTAssertEqual(read("c.log"), "first\nsecond\n")
    }

    func testRotationWithTimestampsKeepsEveryLineWholeAndInOrder() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        var spool = try newSpool()
        let log = try logFile("d.log", maxSize: 2000, keep: 50, timestamps: true)
        for n in 1...600 {
            // Each line in two writes, cut at a different place each time.
            let text = Array("line \(n)\n".utf8)
            let cut = n % text.count
            try FileDescriptor.writeAll(w, Array(text[..<cut]))
            if n % 7 == 0 { pump(r, &spool, log) }
            try FileDescriptor.writeAll(w, Array(text[cut...]))
            if n % 5 == 0 { pump(r, &spool, log) }
        }
        pump(r, &spool, log, final: true)
        var lines: [Substring] = []
        for suffix in (1...50).reversed().map({ ".\($0)" }) + [""] {
            let text = read("d.log" + suffix)
            XCTAssertLessThanOrEqual(text.utf8.count, 2000)
            lines += text.split(separator: "\n")
        }
        XCTAssertTrue(lines.allSatisfy { LogTimestampCheck.starts($0) }, "every line has its time")
        XCTAssertEqual(lines.map { String($0.dropFirst(25)) }, (1...600).map { "line \($0)" })
    }

    /// What was written is given back to the kernel: a spool does not grow with the stream.
    func testASpoolFreesWhatIsWritten() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        var spool = try newSpool()
        let log = try logFile("e.log")
        let line = String(repeating: "x", count: 1023) + "\n"
        for _ in 0..<16 {
            for _ in 0..<60 { try FileDescriptor.writeAll(w, line) }
            pump(r, &spool, log)
        }
        XCTAssertEqual(spool.end, 16 * 60 * 1024)
        var st = stat()
        XCTAssertEqual(fstat(spool.fd, &st), 0)
        XCTAssertLessThanOrEqual(Int(st.st_blocks) * 512, 4096, "at most the page being filled stays allocated")
        XCTAssertEqual(read("e.log").utf8.count, 16 * 60 * 1024)
    }

    /// The journal grows past its first size, and entries made before keep what they hold.
    func testTheJournalGrowsAndKeepsItsEntries() throws {
        let first = journal.allocate()!
        journal.arm(first, end: 42, logInode: 1, logSizeBefore: 0, length: 1)
        journal.commit(first)
        var slots: [Int32] = []
        for _ in 0..<700 { slots.append(journal.allocate()!) }
        XCTAssertGreaterThanOrEqual(journal.capacity, 701)
        XCTAssertEqual(Set(slots + [first]).count, 701)
        XCTAssertEqual(journal.processed(first), 42)
        // Another mapping of the same file (a daemon started after a crash) sees the same entry.
        let again = try CaptureJournal(fd: dup(journal.fd))
        XCTAssertEqual(again.processed(first), 42)
        XCTAssertTrue(again.claim(first))
        XCTAssertFalse(again.claim(first), "an entry is claimed once")
    }

    /// A released entry is handed out again, the lowest free one first, and an entry claimed
    /// (a stream taken back after a crash) is never handed out while it is in use.
    func testReleasedEntriesAreReusedLowestFirstAndClaimedOnesAreSkipped() throws {
        var slots: [Int32] = []
        for _ in 0..<10 { slots.append(journal.allocate()!) }
        XCTAssertEqual(Set(slots).count, 10)
        journal.release(slots[7])
        journal.release(slots[2])
        journal.release(slots[5])
        let reused = (0..<3).map { _ in journal.allocate()! }
        XCTAssertEqual(reused, [slots[2], slots[5], slots[7]].sorted())
        let next = journal.allocate()!
        XCTAssertFalse(slots.contains(next), "a free entry past the ten")
        journal.release(slots[0])
        XCTAssertTrue(journal.claim(slots[0]))
        let after = journal.allocate()!
        XCTAssertNotEqual(after, slots[0], "a claimed entry was handed out")
        XCTAssertFalse(slots.contains(after) || after == next)
    }
}

/// `2026-11-30T09:06:57.958Z ` in front of a line.
enum LogTimestampCheck {
    static func starts(_ line: Substring) -> Bool {
        let bytes = Array(line.utf8)
        return bytes.count > 25 && bytes[23] == UInt8(ascii: "Z") && bytes[24] == UInt8(ascii: " ")
    }
}
