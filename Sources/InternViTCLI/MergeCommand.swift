import Foundation
import InternViT

/// `internvit merge OUT --output FILE.safetensors`: joins the shards of a batch embedding.
enum MergeCommand {
    static let help = """
        usage: internvit merge OUT --output FILE.safetensors

        Joins the part files of every shard in OUT (written by `embed --output-dir OUT`)
        into one file: tensor `embeddings` float32 [n, D] (--pooled) or [n, tokens, D],
        rows in input order (failed inputs left out), tensor `indices` int64 [n] (each
        row's input index), and FILE.paths.txt with each row's path, one per line.
        Checks that every input of every shard is recorded exactly once; names missing
        shards and inputs (exit 1) and lists failed inputs.

          --output FILE          the merged .safetensors file
          -h, --help             this help
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["output"], flagOptions: [], help: help)
        guard arguments.positionals.count == 1 else { throw UsageError(message: "give one output directory to merge", help: help) }
        guard let output = arguments.values["output"] else { throw UsageError(message: "--output FILE.safetensors is required", help: help) }
        guard (output as NSString).pathExtension.lowercased() == "safetensors" else {
            throw UsageError(message: "--output must end in .safetensors, got '\(output)'", help: help)
        }
        let report = try EmbeddingMerge.merge(directory: URL(fileURLWithPath: arguments.positionals[0]),
                                              output: URL(fileURLWithPath: output))
        for failure in report.failures.prefix(20) { console.err("internvit: failed input \(failure.index): \(failure.error)") }
        if report.failures.count > 20 { console.err("internvit: … \(report.failures.count - 20) more failed inputs") }
        console.err("internvit: wrote embeddings \(report.shape) (\(report.rows) of \(report.inputs) inputs, "
            + "\(report.failures.count) failed) to \(output); paths in \(report.pathsFile.path)")
    }
}
