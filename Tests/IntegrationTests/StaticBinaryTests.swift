import Foundation
import XCTest

/// The release binary is a static PIE (Package.swift): the Swift runtime, libstdc++ and glibc are
/// linked into it, so it runs where no Swift toolchain is installed (a FiftyOne container, a
/// server) and starts without the dynamic loader, while the kernel still loads it at a random
/// address. scripts/test builds it (`swift build -c release`) before the tests; without it this
/// test fails, loudly.
final class StaticBinaryTests: XCTestCase {
    struct ELF {
        /// e_type: 2 is a fixed-address executable, 3 a position-independent one.
        var type: Int
        /// p_type of each program header (3 is PT_INTERP, the dynamic loader's path).
        var programHeaders: [Int]
        /// d_tag of each entry of the dynamic section, up to DT_NULL.
        var dynamicTags: [Int]
        /// The libraries it asks the dynamic loader for (its DT_NEEDED entries).
        var needed: [String]
    }

    static func read(_ path: String) throws -> ELF {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        func int(_ offset: Int, _ size: Int) -> Int {
            var value = 0
            for i in (0..<size).reversed() { value = value << 8 | Int(bytes[offset + i]) }
            return value
        }
        guard bytes.count > 64, bytes[0..<4] == [0x7F, 0x45, 0x4C, 0x46], bytes[4] == 2, bytes[5] == 1 else {
            throw NSError(domain: "\(path) is not a 64-bit little-endian ELF file", code: 1)
        }
        let programOffset = int(0x20, 8)
        let programEntrySize = int(0x36, 2)
        let programHeaders = (0..<int(0x38, 2)).map { int(programOffset + $0 * programEntrySize, 4) }
        let sectionOffset = int(0x28, 8)
        let entrySize = int(0x3A, 2)
        let count = int(0x3C, 2)
        func section(_ i: Int) -> (type: Int, offset: Int, size: Int, link: Int) {
            let base = sectionOffset + i * entrySize
            return (int(base + 4, 4), int(base + 24, 8), int(base + 32, 8), int(base + 40, 4))
        }
        var elf = ELF(type: int(0x10, 2), programHeaders: programHeaders, dynamicTags: [], needed: [])
        guard let dynamic = (0..<count).map(section).first(where: { $0.type == 6 }) else { return elf }  // SHT_DYNAMIC
        let strings = section(dynamic.link)
        var offset = dynamic.offset
        while offset + 16 <= dynamic.offset + dynamic.size {
            let tag = int(offset, 8)
            if tag == 0 { break }  // DT_NULL
            elf.dynamicTags.append(tag)
            if tag == 1 {  // DT_NEEDED
                let start = strings.offset + int(offset + 8, 8)
                let end = bytes[start...].firstIndex(of: 0) ?? start
                elf.needed.append(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            offset += 16
        }
        return elf
    }

    static var releaseBinary: String {
        ProcessInfo.processInfo.environment["FOM_RELEASE_BINARY"] ?? EndToEndTests.repoRoot + "/.build/release/fom"
    }

    func releaseBinary() -> String? {
        let binary = Self.releaseBinary
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: binary),
            "no release binary at \(binary): run `swift build -c release` (scripts/test does)")
        return FileManager.default.isExecutableFile(atPath: binary) ? binary : nil
    }

    func testReleaseBinaryIsAStaticPIEThatNeedsNoLibrary() throws {
        guard let binary = releaseBinary() else { return }
        // The reader itself, on a binary that does use the dynamic loader.
        let shell = try Self.read("/bin/sh")
        XCTAssertTrue(shell.needed.contains { $0.hasPrefix("libc.so") }, "read /bin/sh's needed entries: \(shell.needed)")
        XCTAssertTrue(shell.programHeaders.contains(3), "read /bin/sh's program headers: \(shell.programHeaders)")

        let elf = try Self.read(binary)
        XCTAssertEqual(elf.needed, [], "the release binary loads libraries at run time: \(elf.needed)")
        XCTAssertFalse(elf.programHeaders.contains(3), "the release binary names a dynamic loader (PT_INTERP)")
        XCTAssertEqual(elf.type, 3, "the release binary is not position-independent: its addresses are not randomised")
        // A run path in a static PIE stops glibc's start-up code (Sources/fom/link/ld.lld drops SwiftPM's).
        XCTAssertFalse(
            elf.dynamicTags.contains(15) || elf.dynamicTags.contains(29), "the release binary has a run path")

        // And it runs with nothing in its environment.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--version"]
        process.environment = [:]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(out.hasPrefix("fom "), out)
    }

    /// A static glibc's getpwnam(3) loads the NSS modules /etc/nsswitch.conf names, and
    /// libnss_systemd.so crashed it (SIGSEGV) on an unknown user: fom reads /etc/passwd itself.
    func testReleaseBinaryLooksUpUsersWithoutNSSModules() throws {
        guard let binary = releaseBinary() else { return }
        let dir = NSTemporaryDirectory() + "fom-static-users-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{ "instances": [ {"name": "a", "kind": "process", "command": ["sleep", "1"]} ] }"#
            .write(toFile: dir + "/supervisor.json", atomically: true, encoding: .utf8)
        func startup(_ user: String) throws -> (code: Int32, out: String, err: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["startup", "--user", user]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            process.environment = ["PATH": "/usr/bin:/bin", "FOM_CONFIG": dir + "/supervisor.json"]
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, outText, errText)
        }
        let unknown = try startup("no-such-user-fom")
        XCTAssertEqual(unknown.code, 2, unknown.err)
        XCTAssertTrue(unknown.err.contains(#"no user named "no-such-user-fom""#), unknown.err)
        let root = try startup("root")
        XCTAssertEqual(root.code, 0, root.err)
        XCTAssertTrue(root.out.contains("ExecStart="), root.out)
    }
}
