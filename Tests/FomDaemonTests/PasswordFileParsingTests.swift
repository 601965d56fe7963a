import SystemKit
import XCTest

/// /etc/passwd read by fom itself (the static release binary cannot use glibc's NSS modules):
/// the lines glibc's files module takes, and only those.
final class PasswordFileParsingTests: XCTestCase {
    func testEntriesAreReadInOrderWithNameIdsAndHome() {
        let text = "root:x:0:0:root:/root:/bin/bash\nfom:x:1000:1001:Fom User,,,:/home/fom:/bin/sh\n"
        XCTAssertEqual(
            Users.accounts(inPasswordFile: text),
            [
                Users.Account(name: "root", uid: 0, gid: 0, home: "/root"),
                Users.Account(name: "fom", uid: 1000, gid: 1001, home: "/home/fom"),
            ])
    }

    func testEmptyFieldsAndAMissingTrailingNewlineAreKept() {
        XCTAssertEqual(
            Users.accounts(inPasswordFile: "svc::4294967294:65534:::"),
            [Users.Account(name: "svc", uid: 4_294_967_294, gid: 65534, home: "")])
    }

    func testCommentsBlankLinesAndNISCompatLinesAreSkipped() {
        let text = "# accounts\n\n+@admins:::::: \n-bob::::::\n+::0:0:::\nalice:x:1:1::/a:/bin/sh\n"
        XCTAssertEqual(Users.accounts(inPasswordFile: text).map(\.name), ["alice"])
    }

    func testMalformedLinesAreSkippedAndTheRestIsRead() {
        let lines = [
            "short:x:1:1:/home",  // six fields
            "long:x:1:1:g:/h:/s:extra",  // eight
            ":x:1:1:g:/h:/s",  // no name
            "neg:x:-1:1:g:/h:/s",  // not a number
            "big:x:4294967296:1:g:/h:/s",  // over 32 bits
            "hex:x:0x10:1:g:/h:/s",
            "empty:x::1:g:/h:/s",
            "ok:x:7:8:g:/srv/ok:/bin/false",
        ]
        XCTAssertEqual(
            Users.accounts(inPasswordFile: lines.joined(separator: "\n")),
            [Users.Account(name: "ok", uid: 7, gid: 8, home: "/srv/ok")])
    }

    func testThisMachinesPasswordFileHasRootAtUidZero() throws {
        let text = try XCTUnwrap(Files.readText(Users.passwordFile))
        XCTAssertEqual(Users.accounts(inPasswordFile: text).first { $0.uid == 0 }?.name, "root")
        XCTAssertEqual(Users.named("root")?.uid, 0)
        XCTAssertNil(Users.named("no-such-user-fom"))
    }
}
