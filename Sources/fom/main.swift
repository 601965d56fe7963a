import FomCLI
import Glibc
import SystemKit

// Before anything opens a descriptor: a closed 0, 1 or 2 must not be handed out to a socket.
Limits.ensureStandardDescriptors()
exit(FomCLI.main(CommandLine.arguments))
