import Foundation
import XCTest

/// A stream's spool that takes no more bytes (here: a file-size limit on the daemon, which
/// applies to in-memory files too) ends, and the stream goes on without one: the instance keeps
/// its pipe and its process, and its lines keep arriving.
final class SpoolLimitTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testAStreamWhoseSpoolTakesNoMoreGoesOnWithoutOne() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "8K", "keep": 2 }, "instances": [
                  {"name": "talker", "kind": "process", "command": ["python3", "-u", "-c",
                   "import itertools, time\\nfor i in itertools.count(1):\\n    print('line %08d' % i + ' ' * 50, flush=True)\\n    time.sleep(0.001)"]} ] }
                """)
        harness = h
        // The daemon, started by `fom start`, inherits a file-size limit of 32 KiB (64 blocks):
        // its logs rotate at 8K, under it, but a spool's size counts every byte it ever took.
        let start = Process()
        start.executableURL = URL(fileURLWithPath: "/bin/sh")
        start.arguments = ["-c", "ulimit -f 64 && exec \"$0\" start", h.binary]
        start.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        try start.run()
        start.waitUntilExit()
        XCTAssertEqual(start.terminationStatus, 0)
        guard let child = h.pid("talker") else { return XCTFail("\(h.list())") }
        h.waitUntil("the spool has ended") {
            h.read(".fom/logs/fom.log").contains("talker: its stdout goes on without a spool")
        }
        func lastNumber() -> Int {
            h.read(".fom/logs/talker.out.log").split(separator: "\n").last.flatMap { Int($0.split(separator: " ")[1]) }
                ?? 0
        }
        let seen = lastNumber()
        h.waitUntil("its lines still arrive") { lastNumber() > seen + 100 }
        XCTAssertEqual(h.pid("talker"), child, "the instance kept its process")
        XCTAssertEqual(h.list()["talker"]?["restarts"] as? Int, 0)
    }
}
