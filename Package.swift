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
        // The web dashboard's HTTP server, page and API (`fom ui`); a client of the daemon, never in it.
        .target(name: "FomWeb", dependencies: ["FomCore", "FomProtocol", "SystemKit"]),
        // One file per command, the argument scanner, output, the control client; the daemon only
        // for `fom daemon`.
        .target(
            name: "FomCLI", dependencies: ["FomCore", "FomProtocol", "FomRuntime", "SystemKit", "FomDaemon", "FomWeb"]),
        // A release build links the Swift runtime statically: the binary then runs where no Swift
        // toolchain is installed (a FiftyOne container, a server) and starts without loading it.
        // The C++ library the runtime needs is linked statically too, through the linker script
        // in Sources/fom/link: binding libstdc++.so's symbols was a fifth of a `fom list`.
        .executableTarget(
            name: "fom", dependencies: ["FomCLI", "SystemKit"], exclude: ["link"],
            linkerSettings: [
                .unsafeFlags(
                    ["-static-stdlib", "-L", Context.packageDirectory + "/Sources/fom/link"],
                    .when(configuration: .release))
            ]),
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
