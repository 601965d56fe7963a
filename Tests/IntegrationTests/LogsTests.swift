import Foundation
import XCTest

/// Issue 4's "must show": capture, rotation, follow, isolation of a flooding child, and no
/// secret in anything fom writes.
final class LogsTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    func testFloodOfNumberedLinesRotatesIntoAnUnbrokenOrderedRun() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "256K", "keep": 4 },
                  "instances": [ {"name": "counter", "kind": "process",
                                  "command": ["/bin/sh", "-c", "seq 1 500000; exec sleep 3101"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let current = ".fom/logs/counter.out.log"
        h.waitUntil("the last line is written", timeout: 60) {
            h.read(current).hasSuffix("\n500000\n") || h.read(current) == "500000\n"
        }
        var all: [String] = []
        for suffix in [".4", ".3", ".2", ".1", ""] {
            let text = h.read(current + suffix)
            XCTAssertLessThanOrEqual(text.utf8.count, 256 * 1024, "\(suffix) is over maxSize")
            XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "a file ends mid-line")
            all += text.split(separator: "\n").map(String.init)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path(current + ".5")))
        let numbers = all.map { Int($0) ?? -1 }
        XCTAssertGreaterThan(numbers.count, 100_000, "four archives of 256K hold well over 100k short lines")
        XCTAssertEqual(numbers.last, 500_000)
        XCTAssertEqual(numbers, Array(numbers.first!...500_000), "lines lost, split or out of order")
    }

    func testFollowKeepsPrintingAcrossRestartAndRotation() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "4K", "keep": 2 },
                  "instances": [ {"name": "talker", "kind": "process", "command": ["python3", "talk.py"]} ] }
                """)
        harness = h
        try h.write(
            "talk.py",
            """
            import os, sys, time
            for i in range(200):
                print(f"burst {os.getpid()} {i:04d} " + "x" * 40)
            print(f"ready {os.getpid()}", flush=True)
            time.sleep(1000)
            """)
        XCTAssertEqual(h.fom("start").code, 0)
        let first = h.pid("talker")!
        let follower = try h.startInBackground(["logs", "talker", "-f", "-n", "0"], stdout: "follow.txt")
        h.waitUntil("the follower shows the first run") { h.read("follow.txt").contains("ready \(first)") }
        XCTAssertEqual(h.fom("restart", "talker").code, 0)
        let second = h.pid("talker")!
        XCTAssertNotEqual(first, second)
        h.waitUntil("the follower shows lines written after the restart and its rotations") {
            h.read("follow.txt").contains("ready \(second)")
        }
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: h.path(".fom/logs/talker.out.log.1")), "no rotation happened")
        XCTAssertTrue(h.read("follow.txt").contains("talker | ready \(second)"), "lines carry the instance name")
        XCTAssertTrue(follower.isRunning)
    }

    func testFloodingInstanceDoesNotStallAnotherOrTheControlSocket() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "1M", "keep": 1 },
                  "instances": [
                    {"name": "flood", "kind": "process", "command": ["yes", "flood flood flood flood flood flood"]},
                    {"name": "quiet", "kind": "process", "autostart": false, "command": ["python3", "-u", "quiet.py"]} ] }
                """)
        harness = h
        try h.write(
            "quiet.py",
            """
            import time
            for i in range(1000):
                print(f"tick {i}")
                time.sleep(0.05)
            """)
        XCTAssertEqual(h.fom("start", "flood").code, 0)
        h.waitUntil("the flood rotated") { FileManager.default.fileExists(atPath: h.path(".fom/logs/flood.out.log.1")) }
        XCTAssertEqual(h.fom("start", "quiet", timeout: 20).code, 0)
        h.waitUntil("the quiet instance's lines arrive during the flood", timeout: 20) {
            h.read(".fom/logs/quiet.out.log").contains("tick 5\n")
        }
        for _ in 0..<5 {
            let list = h.fom("list", timeout: 10)
            XCTAssertEqual(list.code, 0, list.err)
            XCTAssertTrue(list.out.contains("flood") && list.out.contains("online"), list.out)
        }
        let logs = h.fom("logs", "quiet", "-n", "3", timeout: 10)
        XCTAssertTrue(logs.out.contains("quiet | tick"), logs.out)
        XCTAssertEqual(h.fom("stop", "flood", timeout: 30).code, 0)
    }

    func testCrashIsRecordedInFomLogAndNoFileHoldsTheCvatPassword() throws {
        let password = "Sup3r-S3cret-Pa55word"
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "synced", "kind": "process", "cvatSync": true, "maxRestarts": 2,
                                  "command": ["/bin/sh", "-c", "echo starting; exit 7"]} ] }
                """)
        harness = h
        try h.write(".env", "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=someone\nCVAT_PASSWORD=\(password)\n")
        h.fom("start")
        h.waitUntil("errored") { h.status("synced") == "errored" }
        let log = h.read(".fom/logs/fom.log")
        XCTAssertTrue(log.contains("synced: exited with code 7; restarting in 100ms"), log)
        XCTAssertTrue(log.contains("gave up after 2 failed starts"), log)
        let describe = h.fom("describe", "synced")
        XCTAssertTrue(describe.out.contains("exited with code 7"), describe.out)
        XCTAssertEqual(h.fom("flush", "synced").code, 0)
        XCTAssertEqual(h.read(".fom/logs/synced.out.log"), "")
        // Every file fom wrote: logs, state, daemon output.
        let enumerator = FileManager.default.enumerator(atPath: h.path(".fom"))!
        var checked = 0
        while let name = enumerator.nextObject() as? String {
            let full = h.path(".fom/" + name)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
                !name.hasSuffix(".sock"), !name.hasSuffix(".lock")
            else { continue }
            let data = FileManager.default.contents(atPath: full) ?? Data()
            XCTAssertNil(String(decoding: data, as: UTF8.self).range(of: password), "\(name) holds the password")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3)
        let env = h.fom("env", "synced")
        XCTAssertFalse(env.out.contains(password))
        XCTAssertFalse(env.err.contains(password))
    }

    func testLogWriteErrorIsCountedAndShownWhileTheChildRuns() throws {
        let h = try FomHarness(
            config: """
                { "instances": [ {"name": "app", "kind": "process", "command": ["/bin/sh", "-c", "while true; do echo hi; sleep 0.05; done"]} ] }
                """)
        harness = h
        // A directory where the log file should be: every open fails.
        try FileManager.default.createDirectory(
            atPath: h.path(".fom/logs/app.out.log"), withIntermediateDirectories: true)
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("errors counted") { h.fom("describe", "app", "--json").out.contains("\"logErrors\": 0,") == false }
        let describe = h.fom("describe", "app")
        XCTAssertTrue(describe.out.contains("log errors"), describe.out)
        XCTAssertTrue(describe.out.contains("Is a directory"), describe.out)
        XCTAssertEqual(h.status("app"), "online")
    }

    func testFollowLosesNoLineAcrossManyRotations() throws {
        let h = try FomHarness(
            config: """
                { "logs": { "maxSize": "8K", "keep": 3 },
                  "instances": [ {"name": "pacer", "kind": "process", "autostart": false, "restart": "never",
                                  "command": ["python3", "-u", "pace.py"]} ] }
                """)
        harness = h
        try h.write(
            "pace.py",
            """
            import sys, time
            for burst in range(40):
                sys.stdout.write("".join(f"{burst * 500 + i + 1}\\n" for i in range(500)))
                sys.stdout.flush()
                time.sleep(0.02)
            """)
        XCTAssertEqual(h.fom("ping").code, 0)
        try h.startInBackground(["logs", "pacer", "--out", "-f", "-n", "0"], stdout: "follow.txt")
        h.fom("start", "pacer")
        h.waitUntil("the follower printed the last line", timeout: 30) { h.read("follow.txt").contains("| 20000\n") }
        let numbers = h.read("follow.txt").split(separator: "\n").compactMap {
            Int($0.split(separator: "|").last!.trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(numbers.count, 20000)
        XCTAssertEqual(numbers, Array(1...20000), "lines skipped or repeated across rotations")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path(".fom/logs/pacer.out.log.3")), "rotated many times")
    }
}
