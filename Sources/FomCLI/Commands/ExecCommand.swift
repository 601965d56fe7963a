import FomCore
import FomProtocol
import SystemKit

/// `fom exec ID -- COMMAND...`: a one-off command with exactly the environment and working
/// directory of the instance (its database, its CVAT credentials). Without the instance's
/// marker: it is not part of the instance, so stopping the instance leaves it alone.
enum ExecCommand {
    static func run(_ args: ParsedArguments) throws -> Int32 {
        guard args.positionals.count == 1 else {
            throw UsageError("fom exec: usage: fom exec ID|NAME -- COMMAND [ARG...]")
        }
        guard let command = args.passthrough, !command.isEmpty else {
            throw UsageError(
                "fom exec: give the command after '--': fom exec \(args.positionals[0]) -- COMMAND [ARG...]")
        }
        let context = try Context.load(args)
        let (config, id) = try context.instance(args.positionals[0])
        var variables: [String: String]
        var cwd = config.cwd
        if let client = try Client.connect(context) {
            // The daemon's view: its own environment is layer 1 of what the instance gets, and its
            // loaded config (not the file, if that changed since) says where the instance runs.
            defer { client.close() }
            // The command needs the real values (its CVAT password): one of the two answers
            // that carry secrets in cleartext.
            let raw = try client.request(Request(.env, targets: [config.name], reveal: true))
            guard let answer = EnvAnswer(json: raw) else {
                throw Failure(raw["error"]?.stringValue ?? "the daemon gave no environment for \(config.name)")
            }
            try context.checkDaemonEnvFile(answer.envFile, command: "exec")
            context.warnIfConfigChanged(daemonDigest: answer.configDigest, command: "exec")
            guard let next = answer.next else {
                throw Failure(answer.nextError ?? "cannot compute the environment of \(config.name)")
            }
            variables = next
            if !answer.instance.cwd.isEmpty { cwd = answer.instance.cwd }
        } else {
            variables = try context.nextEnvironment(config, id: id).variables
        }
        // Relative paths are taken from the instance's working directory, where the command runs.
        let program = command[0]
        guard let executable = Spawn.resolveExecutable(program, base: cwd, searchPath: variables["PATH"]) else {
            throw Failure("\(program): command not found (relative paths start in \(cwd))")
        }
        let lines = variables.map { "\($0.key)=\($0.value)" }
        let error = Exec.replace(executable: executable, arguments: command, environment: lines, directory: cwd)
        throw Failure(error.description)
    }
}
