import Foundation
import SystemKit
import XCTest

@testable import FomDaemon

/// Rotation keeps every line whole and in order; errors are counted, never fatal.
final class LogFileTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "fom-logfile-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A log file at `path`, opened from its directory as the daemon opens it.
    func logFile(_ path: String, maxSize: Int, keep: Int, timestamps: Bool) -> LogFile {
        let slash = path.lastIndex(of: "/")!
        let directory = try! Directory.openTrusted(String(path[..<slash]), createMode: nil)
        return LogFile(
            directory: directory, name: String(path[path.index(after: slash)...]), maxSize: maxSize, keep: keep,
            timestamps: timestamps)
    }

    func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func testRotationKeepsNewestLinesWholeAndInOrder() {
        let path = dir + "/app.out.log"
        let log = logFile(path, maxSize: 1000, keep: 3, timestamps: false)
        // Pieces cut at odd places, as a pipe delivers them.
        let text = (1...2000).map { "line \($0)\n" }.joined()
        var bytes = Array(text.utf8)[...]
        var size = 1
        while !bytes.isEmpty {
            let n = min(size, bytes.count)
            log.append(bytes.prefix(n))
            bytes = bytes.dropFirst(n)
            size = size % 97 + 13
        }
        var all: [String] = []
        for suffix in [".3", ".2", ".1", ""] {
            let file = path + suffix
            XCTAssertLessThanOrEqual(FileManager.default.fileSize(file), 1000, file)
            all += lines(file)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".4"), "keep 3 means three archives")
        let numbers = all.map { Int($0.dropFirst(5)) ?? -1 }
        XCTAssertEqual(numbers.last, 2000)
        XCTAssertEqual(numbers, Array((numbers.first!)...2000), "an unbroken, ordered run of whole lines")
    }

    func testPartialLineWaitsForItsNewlineAndFlushesAtEnd() {
        let path = dir + "/p.log"
        let log = logFile(path, maxSize: 1 << 20, keep: 1, timestamps: false)
        log.append(Array("hal".utf8)[...])
        XCTAssertEqual(lines(path), [])
        log.append(Array("f\nrest".utf8)[...])
        XCTAssertEqual(lines(path), ["half"])
        log.flushPartial()
        XCTAssertEqual(lines(path), ["half", "rest"])
    }

    func testTimestampsPrefixEveryLineInUTCWithMilliseconds() throws {
        let path = dir + "/t.log"
        let log = logFile(path, maxSize: 1 << 20, keep: 1, timestamps: true)
        log.append(Array("a\nb\n".utf8)[...])
        let got = lines(path)
        XCTAssertEqual(got.count, 2)
        let pattern = try NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (a|b)$"#)
        for line in got {
            XCTAssertEqual(pattern.numberOfMatches(in: line, range: NSRange(line.startIndex..., in: line)), 1, line)
        }
    }

    func testDiskErrorsAreCountedNotFatal() {
        let log = logFile("/dev/full", maxSize: 1 << 30, keep: 0, timestamps: false)
        log.append(Array("x\ny\n".utf8)[...])
        log.append(Array("z\n".utf8)[...])
        XCTAssertEqual(log.errors, 2)
        XCTAssertTrue(log.lastError?.contains("No space left") ?? false, log.lastError ?? "")
    }

    func testFlushEmptiesFileAndArchives() {
        let path = dir + "/f.log"
        let log = logFile(path, maxSize: 10, keep: 2, timestamps: false)
        for i in 0..<10 { log.appendLine("entry \(i)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".1"))
        log.flush()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".1"))
        XCTAssertEqual(FileManager.default.fileSize(path), 0)
        log.appendLine("after")
        XCTAssertEqual(lines(path), ["after"])
    }
}

extension FileManager {
    func fileSize(_ path: String) -> Int {
        ((try? attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
