import Foundation
import XCTest

/// `fom monit` under a real pseudo-terminal, driven by a small Python program (the pty module):
/// what it shows, keys, a change without a key, resizing, and the terminal given back as found.
final class MonitTests: XCTestCase {
    var harness: FomHarness!

    override func tearDown() {
        harness?.tearDown()
        harness = nil
    }

    /// Runs `sh -c 'stty -a > stty.before; fom monit; echo $? > monit.rc; stty -a > stty.after'`
    /// on a 30x120 pty and reports what it saw as JSON.
    static let driver = #"""
        import fcntl, json, os, re, select, signal, struct, subprocess, sys, termios, time

        fom, workdir, names, kill_name = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
        result = {"log_shown": False, "restart_asked": False, "restarted": False, "all_shown": False, "selection_moved": False, "new_pid_seen": False, "resized": False,
                  "exit": None, "stty_equal": False, "screen": ""}
        master, slave = os.openpty()

        def set_size(fd, rows, cols):
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

        set_size(slave, 30, 120)
        def become_session_leader():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        script = 'stty -a > stty.before; "$0" monit; echo $? > monit.rc; stty -a > stty.after'
        env = dict(os.environ, TERM="xterm")
        env.pop("NO_COLOR", None)
        child = subprocess.Popen(["sh", "-c", script, fom], stdin=slave, stdout=slave, stderr=slave, cwd=workdir,
                                 env=env, start_new_session=True, preexec_fn=become_session_leader)
        os.close(slave)
        data = b""
        ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

        def pump(timeout=0.05):
            global data
            r, _, _ = select.select([master], [], [], timeout)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return False
                data += chunk
            return True

        def screen():
            text = data.decode("utf-8", errors="replace")
            last = text.rfind("\x1b[H")
            frame = text[last:] if last >= 0 else text
            return [ansi.sub("", line) for line in frame.split("\r\n")]

        def wait_for(pred, timeout=30):
            deadline = time.time() + timeout
            while time.time() < deadline:
                pump()
                if pred(screen()):
                    return True
            return False

        def row_of(lines, name):
            for line in lines:
                cols = line.lstrip(">").split()
                if len(cols) > 2 and cols[1] == name:
                    return cols
            return None

        def selected(lines):
            return next((line for line in lines if line.startswith(">")), "")

        try:
            result["all_shown"] = wait_for(lambda s: all(row_of(s, n) and row_of(s, n)[2] == "online" for n in names))
            result["log_shown"] = wait_for(lambda s: any("hello from " + names[0] in l for l in s), 15)
            first = selected(screen())
            os.write(master, b"j")
            result["selection_moved"] = wait_for(lambda s: selected(s) != first and names[1] in selected(s).split())
            os.write(master, b"\x1b[A")
            result["selection_back"] = wait_for(lambda s: names[0] in selected(s).split())
            listed = json.loads(subprocess.run([fom, "list", "--json"], cwd=workdir, capture_output=True, text=True).stdout)
            old = next(r["pid"] for r in listed if r["name"] == kill_name)
            os.kill(old, signal.SIGKILL)
            result["new_pid_seen"] = wait_for(
                lambda s: row_of(s, kill_name) is not None and row_of(s, kill_name)[3].isdigit()
                and int(row_of(s, kill_name)[3]) != old)
            current = int(row_of(screen(), kill_name)[3])
            # select kill_name (the second name), ask for a restart, confirm it
            os.write(master, b"j")
            wait_for(lambda s: kill_name in selected(s).split(), 10)
            os.write(master, b"r")
            result["restart_asked"] = wait_for(lambda s: any(l.startswith("restart " + kill_name + "? (y/n)") for l in s), 10)
            os.write(master, b"y")
            result["restarted"] = wait_for(
                lambda s: row_of(s, kill_name) is not None and row_of(s, kill_name)[3].isdigit()
                and int(row_of(s, kill_name)[3]) not in (old, current))
            set_size(master, 30, 60)
            result["resized"] = wait_for(lambda s: any(l.startswith("── logs of") and len(l) == 60 for l in s)
                                         and all(len(l) <= 60 for l in s))
            set_size(master, 30, 120)
            wait_for(lambda s: any(l.startswith("── logs of") and len(l) == 120 for l in s), 10)
            result["screen"] = "\n".join(screen())
            os.write(master, b"q")
            deadline = time.time() + 15
            while child.poll() is None and time.time() < deadline:
                pump()
            if child.poll() is None:
                child.kill()
            rc_path = os.path.join(workdir, "monit.rc")
            if os.path.exists(rc_path):
                result["exit"] = int(open(rc_path).read().strip() or -1)
            before = open(os.path.join(workdir, "stty.before")).read()
            after_path = os.path.join(workdir, "stty.after")
            after = open(after_path).read() if os.path.exists(after_path) else ""
            result["stty_equal"] = before == after and before != ""
            result["stty_before"], result["stty_after"] = before, after
        finally:
            if child.poll() is None:
                child.kill()
        print(json.dumps(result))
        """#

    func testMonitShowsEveryInstanceFollowsChangesAndRestoresTheTerminal() throws {
        let h = try FomHarness(
            config: """
                { "instances": [
                    {"name": "talker", "kind": "process", "command": ["sh", "-c", "echo hello from talker; exec sleep 3060"]},
                    {"name": "victim", "kind": "process", "command": ["sleep", "3061"]},
                    {"name": "third", "kind": "process", "command": ["sleep", "3062"]} ] }
                """)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        try h.write("driver.py", Self.driver)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", h.path("driver.py"), h.binary, h.dir, "talker,victim,third", "victim"]
        process.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "FOM_CONFIG")
        env.removeValue(forKey: "FOM_HOME")
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        let result = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let screen = result["screen"] as? String ?? String(decoding: data, as: UTF8.self)
        XCTAssertEqual(result["all_shown"] as? Bool, true, "every instance online on screen:\n\(screen)")
        XCTAssertEqual(result["log_shown"] as? Bool, true, "the selected instance's log line:\n\(screen)")
        XCTAssertEqual(result["selection_moved"] as? Bool, true, "j moves the selection:\n\(screen)")
        XCTAssertEqual(result["selection_back"] as? Bool, true, "the up arrow moves it back:\n\(screen)")
        XCTAssertEqual(result["new_pid_seen"] as? Bool, true, "kill -9 shows a new pid, no key pressed:\n\(screen)")
        XCTAssertEqual(result["restart_asked"] as? Bool, true, "r asks first:\n\(screen)")
        XCTAssertEqual(result["restarted"] as? Bool, true, "y restarts:\n\(screen)")
        XCTAssertEqual(result["resized"] as? Bool, true, "SIGWINCH redraws at the new width:\n\(screen)")
        XCTAssertEqual(result["exit"] as? Int, 0, "q quits with 0")
        XCTAssertEqual(
            result["stty_equal"] as? Bool, true,
            "stty -a before:\n\(result["stty_before"] ?? "")\nafter:\n\(result["stty_after"] ?? "")")
    }

    func testMonitWithoutATerminalPrintsOneSnapshot() throws {
        let h = try FomHarness(
            config: #"{ "instances": [ {"name": "m", "kind": "process", "command": ["sleep", "3063"]} ] }"#)
        harness = h
        XCTAssertEqual(h.fom("start").code, 0)
        let result = h.fom("monit", timeout: 20)
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("cpu") && result.out.contains("memory"), result.out)
        XCTAssertTrue(result.out.contains(" m ") && result.out.contains("online"), result.out)
    }
}
