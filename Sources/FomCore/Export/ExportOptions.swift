/// What the user chose on the command line of `fom export`.
public struct ExportOptions: Sendable, Equatable {
    /// The image every instance runs, unless `images` names one for it (README: "fom export").
    public static let defaultImage = "fom-fiftyone:1.22.1"
    /// A `mongod` instance runs from the official MongoDB image of the major version that
    /// scripts/setup installs (6.0), since the instances' image has no mongod.
    public static let mongoImage = "mongo:6.0"
    /// The init containers that wait for a dependency's Service use busybox's `nc`.
    public static let waitImage = "busybox:1.36"
    /// Inside the image the project (the directory of supervisor.json) lives here.
    public static let appDirectory = "/app"
    /// Inside the image `{python}` is the interpreter on PATH.
    public static let python = "python"
    /// The size of each stateful instance's volume claim.
    public static let storage = "10Gi"

    public var namespace: String?
    public var image: String
    /// Per instance name, from `--image NAME=IMAGE`.
    public var images: [String: String]
    /// Instance names from `--stateful NAME[=DIR]`, with the data directory, or "" to find it
    /// (mongod's `--dbpath`).
    public var stateful: [String: String]
    /// Write the Secret's keys with empty values.
    public var noSecrets: Bool

    public init(
        namespace: String? = nil, image: String = ExportOptions.defaultImage, images: [String: String] = [:],
        stateful: [String: String] = [:], noSecrets: Bool = false
    ) {
        self.namespace = namespace
        self.image = image
        self.images = images
        self.stateful = stateful
        self.noSecrets = noSecrets
    }
}

/// Why an export cannot be written: one line naming the instance or option at fault.
public struct ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
