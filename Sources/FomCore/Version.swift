public enum FomCoreVersion { public static let string = "0.1.0" }
