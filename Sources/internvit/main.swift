// The `internvit` command-line tool. Its subcommands (embed, preprocess, inspect,
// bench, visualize) arrive with the model; until then it explains itself.
import Foundation

let usage = """
    usage: internvit <command> [options]

    InternViT-300M-448px in pure Swift.

    The model commands (embed, preprocess, inspect, bench, visualize) are not built yet;
    this build provides the tensor library they run on.

    options:
      -h, --help   show this help
    """

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
    print(usage)
    exit(0)
}
FileHandle.standardError.write(Data("internvit: unknown command '\(arguments[0])'\n\n\(usage)\n".utf8))
exit(2)
