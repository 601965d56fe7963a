import Foundation
import XCTest

/// `fom reload` and SIGHUP against the real daemon with real children: exactly the difference is
/// applied, in dependency order, and every unchanged instance keeps its process.
final class ReloadTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// A small stack shaped like the default one: a database, two servers depending on it, one
    /// of them CVAT-synced. Every child is a `sleep` with a token of its own.
    func stack(reviewEnv: String = #""MODE": "a""#, extra: String = "") -> String {
        """
        {
          "instances": [
            {"name": "annotate", "kind": "process", "cvatSync": true, "dependsOn": ["db"],
             "command": ["/bin/sh", "-c", "exec sleep 4101"]},
            {"name": "review", "kind": "process", "dependsOn": ["db"], "env": {\(reviewEnv)},
             "command": ["/bin/sh", "-c", "exec sleep 4102"]},
            {"name": "db", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 4103"]}\(extra)
          ]
        }
        """
    }

    let env = "CVAT_URL=http://127.0.0.1:9\nCVAT_USERNAME=anna\nCVAT_PASSWORD=first-secret\n"

    func pids(_ h: FomHarness) -> [String: Int32] {
        var result: [String: Int32] = [:]
        for (name, row) in h.list() { if let pid = row["pid"] as? Int { result[name] = Int32(pid) } }
        return result
    }

    func allOnline(_ h: FomHarness, _ names: [String]) -> Bool {
        let rows = h.list()
        return names.allSatisfy { rows[$0]?["status"] as? String == "online" }
    }

    func startStack(extra: String = "") throws -> (FomHarness, [String: Int32]) {
        let h = try FomHarness(config: stack(extra: extra))
        harness = h
        try h.write(".env", env)
        XCTAssertEqual(h.fom("start").code, 0)
        h.waitUntil("the stack online") { self.allOnline(h, ["db", "annotate", "review"]) }
        return (h, pids(h))
    }

    func testChangedInstanceRestartsAloneAndOthersKeepTheirPids() throws {
        let (h, before) = try startStack()
        try h.write("supervisor.json", stack(reviewEnv: #""MODE": "b""#))
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("review: restarted (changed: env.MODE)"), result.out)
        XCTAssertTrue(result.out.contains("unchanged: annotate, db"), result.out)
        XCTAssertFalse(result.out.contains("MODE=") || result.out.contains("\"b\""), "no value in the report")
        let after = pids(h)
        XCTAssertEqual(after["db"], before["db"])
        XCTAssertEqual(after["annotate"], before["annotate"])
        XCTAssertNotEqual(after["review"], before["review"])
        XCTAssertEqual(h.status("review"), "online")
        XCTAssertTrue(h.fom("env", "review").out.contains("MODE=b"))
        // The file is what the daemon runs now: no "changed since" warning any more.
        XCTAssertFalse(h.fom("list").err.contains("changed after the daemon read it"))
    }

    func testChangedCvatPasswordRestartsOnlyTheSyncedInstance() throws {
        let (h, before) = try startStack()
        try h.write(".env", env.replacingOccurrences(of: "first-secret", with: "second-secret"))
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(
            result.out.contains("annotate: restarted (changed: environment.FIFTYONE_CVAT_PASSWORD)"), result.out)
        XCTAssertFalse(result.out.contains("second-secret") || result.out.contains("first-secret"))
        let after = pids(h)
        XCTAssertNotEqual(after["annotate"], before["annotate"])
        XCTAssertEqual(after["review"], before["review"])
        XCTAssertEqual(after["db"], before["db"])
        XCTAssertTrue(h.fom("env", "annotate", "--reveal").out.contains("FIFTYONE_CVAT_PASSWORD=second-secret"))
        XCTAssertFalse(h.read(".fom/logs/fom.log").contains("second-secret"))
    }

    func testAddedInstanceStartsAndRemovedOnesStopDependentsFirst() throws {
        let (h, before) = try startStack()
        let added = stack().replacingOccurrences(
            of: #""command": ["/bin/sh", "-c", "exec sleep 4103"]}"#,
            with: #""command": ["/bin/sh", "-c", "exec sleep 4103"]},"#
                + "\n" + #"{"name": "third", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 4104"]}"#)
        try h.write("supervisor.json", added)
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("third: added"), result.out)
        XCTAssertEqual(h.status("third"), "online")
        let ids = h.list().mapValues { $0["id"] as? Int ?? -1 }
        XCTAssertEqual(ids["third"], 3, "a new name gets the next id")
        XCTAssertEqual(pids(h)["db"], before["db"])

        // Remove db and both instances that depend on it: the dependents go first.
        try h.write(
            "supervisor.json",
            #"{"instances": [{"name": "third", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 4104"]}]}"#)
        let removal = h.fom("reload")
        XCTAssertEqual(removal.code, 0, removal.err)
        XCTAssertEqual(Set(h.list().keys), ["third"])
        for token in ["sleep 4101", "sleep 4102", "sleep 4103"] {
            XCTAssertEqual(FomHarness.pids(withToken: token), [], "\(token) still runs")
        }
        let log = h.read(".fom/logs/fom.log")
        let dbStop = log.range(of: "db: stopping pid")!.lowerBound
        XCTAssertLessThan(log.range(of: "annotate: stopping pid")!.lowerBound, dbStop)
        XCTAssertLessThan(log.range(of: "review: stopping pid")!.lowerBound, dbStop)

        // A name that comes back is a new instance: its old id is never reused.
        try h.write("supervisor.json", stack(extra: ""))
        XCTAssertEqual(h.fom("reload").code, 0)
        let newIDs = h.list().mapValues { $0["id"] as? Int ?? -1 }
        XCTAssertEqual(Set([newIDs["annotate"], newIDs["review"], newIDs["db"]]), Set([4, 5, 6]))
    }

    func testBrokenFileChangesNothingAndIsReportedAsValidateReportsIt() throws {
        let (h, before) = try startStack()
        try h.write(
            "supervisor.json", stack().replacingOccurrences(of: #""name": "review","#, with: #""name": "review""#))
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 1)
        let validate = h.fom("validate")
        XCTAssertEqual(result.err.split(separator: "\n").first, validate.err.split(separator: "\n").first)
        XCTAssertTrue(result.err.hasPrefix("supervisor.json:"), result.err)
        XCTAssertEqual(pids(h), before)

        // The same through SIGHUP: refused, logged, nothing stops.
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGHUP)
        h.waitUntil("the refusal in fom.log") { h.read(".fom/logs/fom.log").contains("reload refused") }
        XCTAssertEqual(pids(h), before)
    }

    func testSighupAppliesTheDifferenceAsReloadDoes() throws {
        let (h, before) = try startStack()
        try h.write("supervisor.json", stack(reviewEnv: #""MODE": "sighup""#))
        guard let daemon = h.daemonPid() else { return XCTFail("no daemon") }
        kill(daemon, SIGHUP)
        h.waitUntil("review restarted") {
            let now = self.pids(h)
            return now["review"] != nil && now["review"] != before["review"] && h.status("review") == "online"
        }
        let after = pids(h)
        XCTAssertEqual(after["db"], before["db"])
        XCTAssertEqual(after["annotate"], before["annotate"])
    }

    func testDryRunReportsAndChangesNothing() throws {
        let (h, before) = try startStack()
        try h.write("supervisor.json", stack(reviewEnv: #""MODE": "c""#))
        let result = h.fom("reload", "--dry-run")
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("review: would be restarted (changed: env.MODE)"), result.out)
        XCTAssertEqual(pids(h), before)
        XCTAssertTrue(h.fom("list").err.contains("run 'fom reload'"))
    }

    func testReloadDuringARestartStormEndsInTheStateTheNewFileAsks() throws {
        var instances = (0..<6).map { i in
            #"{"name": "w\#(i)", "kind": "process", "minUptime": "10s", "maxRestarts": 100, "backoff": {"initial": "10ms", "max": "40ms"}, "command": ["/bin/sh", "-c", "exit 1"]}"#
        }
        let h = try FomHarness(config: "{\"instances\": [\(instances.joined(separator: ","))]}")
        harness = h
        h.fom("start", "--no-wait")
        h.waitUntil("crash loops under way") {
            let rows = h.list()
            return (0..<6).allSatisfy { (rows["w\($0)"]?["restarts"] as? Int ?? 0) >= 2 }
        }
        // The new file: half become stable, one is removed, one is new.
        instances = (0..<5).map { i in
            i % 2 == 0
                ? #"{"name": "w\#(i)", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 4200"]}"#
                : #"{"name": "w\#(i)", "kind": "process", "minUptime": "10s", "maxRestarts": 100, "backoff": {"initial": "10ms", "max": "40ms"}, "command": ["/bin/sh", "-c", "exit 1"]}"#
        }
        instances.append(#"{"name": "fresh", "kind": "process", "command": ["/bin/sh", "-c", "exec sleep 4201"]}"#)
        try h.write("supervisor.json", "{\"instances\": [\(instances.joined(separator: ","))]}")
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 0, result.err)
        h.waitUntil("the new file's state") {
            let rows = h.list()
            return rows["w5"] == nil && rows["fresh"]?["status"] as? String == "online"
                && [0, 2, 4].allSatisfy { rows["w\($0)"]?["status"] as? String == "online" }
                && [1, 3].allSatisfy {
                    ["backoff", "starting", "stopping"].contains(rows["w\($0)"]?["status"] as? String)
                }
        }
    }

    func testAChangedDependsOnAloneAppliesInPlace() throws {
        let (h, before) = try startStack()
        try h.write(
            "supervisor.json",
            stack().replacingOccurrences(
                of: #"{"name": "review", "kind": "process", "dependsOn": ["db"],"#,
                with: #"{"name": "review", "kind": "process","#))
        let result = h.fom("reload")
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("review: updated in place (changed: dependsOn)"), result.out)
        XCTAssertEqual(pids(h), before)
        // The new order holds: stopping db alone no longer waits for review.
        XCTAssertEqual(h.fom("stop", "db", "review").code, 0)
        let log = h.read(".fom/logs/fom.log")
        XCTAssertNotNil(log.range(of: "review: stopping pid"))
    }
}
