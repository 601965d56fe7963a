import Foundation
import XCTest

/// The release binary links the Swift runtime statically, so it runs where no Swift toolchain is
/// installed (a FiftyOne container, a server). scripts/test builds it (`swift build -c release`)
/// before the tests; without it this test fails, loudly.
final class StaticBinaryTests: XCTestCase {
    /// The libraries an ELF file asks the dynamic loader for (its DT_NEEDED entries).
    static func neededLibraries(_ path: String) throws -> [String] {
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
        let sectionOffset = int(0x28, 8)
        let entrySize = int(0x3A, 2)
        let count = int(0x3C, 2)
        func section(_ i: Int) -> (type: Int, offset: Int, size: Int, link: Int) {
            let base = sectionOffset + i * entrySize
            return (int(base + 4, 4), int(base + 24, 8), int(base + 32, 8), int(base + 40, 4))
        }
        guard let dynamic = (0..<count).map(section).first(where: { $0.type == 6 }) else { return [] }  // SHT_DYNAMIC
        let strings = section(dynamic.link)
        var needed: [String] = []
        var offset = dynamic.offset
        while offset + 16 <= dynamic.offset + dynamic.size {
            let tag = int(offset, 8)
            if tag == 0 { break }  // DT_NULL
            if tag == 1 {  // DT_NEEDED
                let start = strings.offset + int(offset + 8, 8)
                let end = bytes[start...].firstIndex(of: 0) ?? start
                needed.append(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            offset += 16
        }
        return needed
    }

    func testReleaseBinaryNeedsNoSwiftOrCxxLibrary() throws {
        let binary =
            ProcessInfo.processInfo.environment["FOM_RELEASE_BINARY"] ?? EndToEndTests.repoRoot + "/.build/release/fom"
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: binary),
            "no release binary at \(binary): run `swift build -c release` (scripts/test does)")
        guard FileManager.default.isExecutableFile(atPath: binary) else { return }
        let needed = try Self.neededLibraries(binary)
        XCTAssertTrue(needed.contains { $0.hasPrefix("libc.so") }, "read the ELF's needed entries: \(needed)")
        let swiftLibraries = needed.filter {
            $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") || $0.hasPrefix("lib_FoundationICU")
                || $0.hasPrefix("libdispatch") || $0.hasPrefix("libBlocksRuntime") || $0.hasPrefix("libstdc++")
        }
        XCTAssertEqual(
            swiftLibraries, [], "the release binary loads the Swift runtime or libstdc++ at run time: \(needed)")

        // And it runs with the toolchain's libraries out of reach.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--version"]
        process.environment = ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": "/nonexistent"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(out.hasPrefix("fom "), out)
    }
}
