/// The version `fom --version` prints.
public enum FomVersion { public static let string = "0.1.0" }
