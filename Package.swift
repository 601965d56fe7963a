// swift-tools-version:6.0
// fom: a process supervisor for FiftyOne App servers. No package dependencies: the toolchain only.
import PackageDescription

// A release build puts each function in its own section, so that the linker can drop what nothing
// calls and put first what the common commands run (Sources/fom/link/order.txt).
let releaseSections: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release))]

// A release build is one static, position-independent executable (a static PIE): the Swift runtime,
// libstdc++ and glibc are inside it, so it runs where no Swift toolchain is installed (a FiftyOne
// container, a server) and starts without the dynamic loader; its addresses are still randomised.
// - The linker is lld, through Sources/fom/link/ld.lld, which leaves out the run path SwiftPM
//   always adds: glibc's start-up code for a static PIE stops on one.
// - order.txt (scripts/link-order writes it) puts the functions the common commands run first.
// - Relative relocations are packed (DT_RELR): 550 KB of relocation records become 6 KB.
// Measured (README "Performance"): `fom list` with 10 instances took 260 page faults and 2.5 ms;
// now 160 and 1.6 ms.
let link = Context.packageDirectory + "/Sources/fom/link"
let releaseLink: [String] = [
    "-static-executable", "-use-ld=lld", "-Xclang-linker", "--ld-path=\(link)/ld.lld", "-Xclang-linker", "-static-pie",
    "-Xlinker", "--symbol-ordering-file=\(link)/order.txt", "-Xlinker", "--no-warn-symbol-ordering",
    "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
]

let package = Package(
    name: "fom",
    products: [
        .executable(name: "fom", targets: ["fom"])
    ],
    targets: [
        // The only C: glibc symbols that Swift's Glibc module hides, one wrapper each.
        .target(name: "CSystem", cSettings: [.unsafeFlags(["-ffunction-sections"], .when(configuration: .release))]),
        // The only code with raw pointers or errno: descriptors, spawn, signals, sockets, /proc, files.
        .target(name: "SystemKit", dependencies: ["CSystem"], swiftSettings: releaseSections),
        // Pure logic, no syscalls: config, dotenv, environment layers, state machine, redaction, JSON.
        .target(name: "FomCore", swiftSettings: releaseSections),
        // The JSON-lines request/response types shared by the daemon and the CLI.
        .target(name: "FomProtocol", dependencies: ["FomCore"], swiftSettings: releaseSections),
        // What the daemon and the CLI share on disk: the runtime directory, the state file, an
        // instance's environment and process tree.
        .target(name: "FomRuntime", dependencies: ["FomCore", "SystemKit"], swiftSettings: releaseSections),
        // The supervisor: event loop, instances, logs, control server, readiness.
        .target(name: "FomDaemon", dependencies: ["FomCore", "FomProtocol", "FomRuntime", "SystemKit"], swiftSettings: releaseSections),
        // The web dashboard's HTTP server, page and API (`fom ui`); a client of the daemon, never in it.
        .target(name: "FomWeb", dependencies: ["FomCore", "FomProtocol", "SystemKit"], swiftSettings: releaseSections),
        // One file per command, the argument scanner, output, the control client; the daemon only
        // for `fom daemon`.
        .target(
            name: "FomCLI", dependencies: ["FomCore", "FomProtocol", "FomRuntime", "SystemKit", "FomDaemon", "FomWeb"],
            swiftSettings: releaseSections),
        .executableTarget(
            name: "fom", dependencies: ["FomCLI", "SystemKit"], exclude: ["link"], swiftSettings: releaseSections,
            linkerSettings: [.unsafeFlags(releaseLink, .when(configuration: .release))]),
        .testTarget(name: "FomCoreTests", dependencies: ["FomCore", "FomProtocol"]),
        .testTarget(
            name: "FomDaemonTests", dependencies: ["FomDaemon", "FomRuntime", "FomCore", "FomProtocol", "SystemKit"]),
        .testTarget(name: "FomWebTests", dependencies: ["FomWeb", "FomCore", "FomProtocol"]),
        // The real fom binary in temporary directories, with real children.
        // Schemas/ (the Compose Specification's JSON schema) and Browser/ (the dashboard's selenium
        // script) are read by path.
        .testTarget(name: "IntegrationTests", dependencies: ["fom"], exclude: ["Schemas", "Browser"]),
    ]
)
