import Foundation
import LinearProbe
import Tensor

/// `linear-probe train DATA_DIR --model M --output PROBE_DIR` or `--features FILE`.
enum TrainCommand {
    static func run(_ options: CommandOptions) throws {
        guard let output = options.values["output"] else { throw UsageError("--output PROBE_DIR is required") }
        for unused in ["labels", "data", "per-class", "scale"] where options.values[unused] != nil {
            throw UsageError("--\(unused) is not an option of train")
        }
        var training = LinearProbeTraining.Options()
        training.heldOutFraction = try options.number("held-out", default: 0.2, in: 0.01...0.99)
        training.seed = try options.number("seed", default: 0, in: 0...UInt64.max)
        training.l2 = try options.number("l2", default: 1e-3, in: 0...1e6)
        try options.applyThreads()
        let probeDirectory = URL(fileURLWithPath: output)
        try TrainedLinearProbe.prepareFolder(probeDirectory)

        let features: Tensor<Float>                                              // [N, D]
        let labels: [Int], classes: [String]
        var facts: [String: String] = [:]
        switch (options.values["features"], options.positionals.count) {
        case (let file?, 0):
            if options.values["model"] != nil { throw UsageError("--model is not used with --features (the features are made already)") }
            let (rows, paths) = try ProbeFeatures.read(URL(fileURLWithPath: file))
            (labels, classes) = try ProbeLabels.fromPaths(paths, file: file)
            features = rows
            facts["features"] = file
        case (nil, 1):
            let folder = try LabelledImageFolder(scanning: URL(fileURLWithPath: options.positionals[0]))
            if !folder.ignored.isEmpty {
                say("ignored \(folder.ignored.count) files that are not images: "
                    + folder.ignored.prefix(5).joined(separator: ", ") + (folder.ignored.count > 5 ? ", …" : ""))
            }
            let (model, preprocessing, name) = try options.model()
            say("\(folder.inputs.count) images in \(folder.classes.count) classes; embedding (pooler_output) with the batch embedding")
            let file = probeDirectory.appendingPathComponent("features.safetensors")
            features = try ProbeFeatures.embed(folder.inputs, model: model, preprocessing: preprocessing, features: file,
                                               progress: embeddingProgress)
            say("wrote \(file.path) \(features.shape) (retrain without embedding: --features \(file.path))")
            labels = folder.labels
            classes = folder.classes
            facts["model"] = name
            facts["data"] = folder.root.path
        case (nil, 0):
            throw UsageError("give DATA_DIR (one subfolder per class) or --features FILE")
        default:
            throw UsageError("give one DATA_DIR or --features FILE, not \(options.positionals.joined(separator: " "))"
                + (options.values["features"] != nil ? " and --features" : ""))
        }
        let outcome = try LinearProbeTraining.train(features: features, labels: labels, classes: classes, options: training,
                                                    training: facts)
        let report = """
            linear probe: \(classes.count) classes, \(features.shape[1]) features, \(outcome.split.train.count) train and \
            \(outcome.split.heldOut.count) held-out images (seed \(training.seed), l2 \(training.l2))
            solver: L-BFGS, \(outcome.fit.iterations) iterations, \(outcome.fit.stop.rawValue), \
            objective \(String(format: "%.6f", outcome.fit.loss))
            train \(outcome.train.text.split(separator: "\n").first!)
            held-out \(outcome.heldOut.text)

            """
        console.out(String(report.dropLast()))  // Console adds the final line break
        try outcome.probe.save(to: probeDirectory)
        do { try OutputFile.write(Data(report.utf8), to: probeDirectory.appendingPathComponent("report.txt")) } catch {
            throw LinearProbeError("cannot write \(probeDirectory.appendingPathComponent("report.txt").path): \(error)")
        }
        say("wrote the probe to \(probeDirectory.path) (probe.safetensors, probe.json, report.txt)")
    }
}
