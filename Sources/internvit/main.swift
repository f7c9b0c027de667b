// The `internvit` command-line tool: all logic lives in the InternViTCLI library.
import Foundation
import InternViTCLI

exit(InternViTCommand.run(Array(CommandLine.arguments.dropFirst())))
