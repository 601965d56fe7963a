import Glibc

/// Replaces this process with another program (for `fom exec`): the terminal, signals and exit
/// code then belong to that program, as with a shell's `exec`.
public enum Exec {
    public static func replace(executable: String, arguments: [String], environment: [String], directory: String)
        -> SystemError
    {
        if chdir(directory) != 0 { return SystemError("cd \(directory)") }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        execve(executable, &argv, &envp)
        return SystemError("cannot execute \(executable)")
    }
}
