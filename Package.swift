// swift-tools-version:6.0
// fom: a process supervisor for FiftyOne App servers. No package dependencies: the toolchain only.
import PackageDescription

let package = Package(
    name: "fom",
    products: [
        .executable(name: "fom", targets: ["fom"])
    ],
    targets: [
        // The only C: glibc symbols that Swift's Glibc module hides, one wrapper each.
        .target(name: "CSystem"),
        // The only code with raw pointers or errno: descriptors, spawn, signals, sockets, /proc, files.
        .target(name: "SystemKit", dependencies: ["CSystem"]),
        // Pure logic, no syscalls: config, dotenv, environment layers, state machine, redaction, JSON.
        .target(name: "FomCore"),
        // The JSON-lines request/response types shared by the daemon and the CLI.
        .target(name: "FomProtocol", dependencies: ["FomCore"]),
        // What the daemon and the CLI share on disk: the runtime directory, the state file, an
        // instance's environment and process tree.
        .target(name: "FomRuntime", dependencies: ["FomCore", "SystemKit"]),
        // The supervisor: event loop, instances, logs, control server, readiness.
        .target(name: "FomDaemon", dependencies: ["FomCore", "FomProtocol", "FomRuntime", "SystemKit"]),
        // One file per command, the argument scanner, output, the control client; the daemon only
        // for `fom daemon`.
        .target(name: "FomCLI", dependencies: ["FomCore", "FomProtocol", "FomRuntime", "SystemKit", "FomDaemon"]),
        .executableTarget(name: "fom", dependencies: ["FomCLI", "SystemKit"]),
        .testTarget(name: "FomCoreTests", dependencies: ["FomCore"]),
        .testTarget(name: "FomDaemonTests", dependencies: ["FomDaemon", "FomRuntime", "FomCore", "FomProtocol", "SystemKit"]),
        // The real fom binary in temporary directories, with real children.
        .testTarget(name: "IntegrationTests", dependencies: ["fom"]),
    ]
)
