import FomCLI
import Glibc

exit(FomCLI.main(CommandLine.arguments))
