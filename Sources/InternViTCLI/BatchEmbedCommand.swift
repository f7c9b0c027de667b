import Foundation
import InternViT
import Tensor

/// `internvit embed DIR|--input-list FILE --output-dir OUT [--shard I/N] [--resume]`:
/// the batch mode of `embed`. Parses the options, then runs `BatchEmbeddingJob` and
/// reports its progress; Docs/Scaling.md describes the output directory.
enum BatchEmbedCommand {
    static let help = """
        batch mode (for large collections; Docs/Scaling.md):
          internvit embed DIR --output-dir OUT --model DIR [--pooled] [options]
          internvit embed --input-list FILE --output-dir OUT --model DIR [--pooled] [options]

        Inputs: DIR walked recursively, ordered by relative path (bytewise); or FILE with
        one path per line, in file order. The index of an input is its position there.
        Writes part files (safetensors, at most --part-rows rows each) and a manifest per
        shard into OUT as images finish; memory does not grow with the number of images.
        A failed image is recorded in the manifest and skipped (exit 1 at the end).
        SIGINT/SIGTERM commit the current part and stop; --resume continues.
        Join the shards with `internvit merge OUT --output FILE.safetensors`.

          --output-dir OUT       write parts + manifest here
          --input-list FILE      the inputs, one path per line (instead of DIR)
          --shard I/N            embed the inputs whose index is I modulo N (default 0/1)
          --resume               continue this shard's earlier run in OUT
          --part-rows N          most rows per part file (default 4096; parts also stay
                                 under 256 MiB)
          --queue N              most decoded images waiting for the model (default 4)
          --log-every SECONDS    progress line interval when stderr is not a terminal
                                 (default 10)
        """

    /// Options that only the batch mode takes.
    static let valueOptions: Set<String> = ["output-dir", "input-list", "shard", "part-rows", "queue", "log-every"]
    static let flagOptions: Set<String> = ["resume"]

    static func run(_ arguments: Arguments, console: Console, help: String) throws {
        guard let outputPath = arguments.values["output-dir"] else {
            let used = (valueOptions.subtracting(["output-dir"]).filter { arguments.values[$0] != nil }
                + flagOptions.filter { arguments.flags.contains($0) }).sorted()
            throw UsageError(message: "--\(used.first ?? "input-list") needs --output-dir", help: help)
        }
        for option in ["output", "format", "pixels", "dynamic", "max-tiles", "keep-going"]
        where arguments.values[option] != nil || arguments.flags.contains(option) {
            throw UsageError(message: "--\(option) cannot be combined with --output-dir", help: help)
        }
        let outputDirectory = URL(fileURLWithPath: outputPath)
        var options = BatchEmbeddingOptions()
        options.resume = arguments.flags.contains("resume")
        options.rowsPerPart = try arguments.integer("part-rows", default: 4096, range: 1...1_000_000, help: help)
        options.queueDepth = try arguments.integer("queue", default: 4, range: 1...256, help: help)
        let logEvery = try arguments.integer("log-every", default: 10, range: 0...86_400, help: help)
        if let text = arguments.values["shard"] {
            do { options.shard = try EmbeddingShard(parsing: text) } catch {
                throw UsageError(message: "--shard: \(error)", help: help)
            }
        }
        if arguments.flags.contains("pooled") {
            if arguments.values["layer"] != nil { throw UsageError(message: "--pooled and --layer cannot be combined", help: help) }
            options.output = .pooled
        } else if let text = arguments.values["layer"] {
            guard let k = Int(text) else { throw UsageError(message: "--layer must be an integer, got '\(text)'", help: help) }
            options.output = .layer(k)
        } else {
            options.output = .lastHiddenState
        }
        let inputs: EmbeddingInputs
        switch (arguments.values["input-list"], arguments.positionals.count) {
        case (let list?, 0):
            inputs = try EmbeddingInputs.list(contentsOf: URL(fileURLWithPath: list))
        case (nil, 1):
            inputs = try EmbeddingInputs.directory(URL(fileURLWithPath: arguments.positionals[0]), excluding: outputDirectory)
        case (nil, 0):
            throw UsageError(message: "give one directory or --input-list FILE", help: help)
        default:
            throw UsageError(message: "give one directory or --input-list FILE, not \(arguments.positionals.joined(separator: ", "))"
                             + (arguments.values["input-list"] != nil ? " and --input-list" : ""), help: help)
        }
        if inputs.count == 0 {
            throw RuntimeFailure(description: "no image files found in \(arguments.values["input-list"] ?? arguments.positionals[0])")
        }
        try InternViTCommand.applyThreads(arguments, help: help)
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help), prepack: true,
                                           memoryMapped: InternViTCommand.memoryMapped(arguments), console: console, help: help)
        let preprocessing = try InternViTCommand.clip(directory: loaded.directory, tileSize: loaded.model.config.imageSize,
                                                      console: console)
        let job: BatchEmbeddingJob
        do {
            job = try BatchEmbeddingJob(model: loaded.model, preprocessing: preprocessing, inputs: inputs,
                                        outputDirectory: outputDirectory, options: options)
        } catch {
            throw UsageError(message: "\(error)", help: help)
        }

        loaded.warnIfDebugBuild(console)
        let signals = InterruptSignals()
        defer { signals.stop() }
        let label = "shard \(options.shard)"
        var reporter = ProgressReporter(console: console, label: label, interval: Double(logEvery))
        console.err("internvit: \(label): \(inputs.count) inputs, this shard's share to \(outputDirectory.path)")
        let summary = try job.run(shouldStop: { signals.signalReceived != nil }, progress: { reporter.report($0) })

        for failure in summary.failures.prefix(20) { console.err("internvit: failed: \(failure.error)") }
        if summary.failed > 20 { console.err("internvit: … \(summary.failed - 20) more failures in the manifest") }
        let manifest = outputDirectory.appendingPathComponent(EmbeddingManifest.fileName(options.shard)).path
        if summary.interrupted, let number = signals.signalReceived {
            throw RuntimeFailure(description: "\(label): stopped by \(InterruptSignals.name(number)) after committing "
                + "\(summary.embedded) images; run again with --resume to continue (\(manifest))")
        }
        console.err("internvit: \(label): \(summary.embedded) embedded, \(summary.failed) failed"
            + (summary.resumed > 0 ? ", \(summary.resumed) done before" : "") + "; manifest \(manifest)")
        if summary.failedInManifest > 0 {
            throw RuntimeFailure(description: "\(label): \(summary.failedInManifest) images failed (recorded in \(manifest))")
        }
    }
}
