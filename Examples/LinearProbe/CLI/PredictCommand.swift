import Foundation
import InternViT
import LinearProbe
import Tensor

/// `linear-probe predict PROBE_DIR IMAGE|DIR... --model M` or `--features FILE`.
enum PredictCommand {
    static func run(_ options: CommandOptions) throws {
        guard let probePath = options.positionals.first else { throw UsageError("give the PROBE_DIR written by train") }
        for unused in ["held-out", "seed", "l2", "data", "per-class", "scale"] where options.values[unused] != nil {
            throw UsageError("--\(unused) is not an option of predict")
        }
        try options.applyThreads()
        let probe = try TrainedLinearProbe.load(from: URL(fileURLWithPath: probePath))
        let images = Array(options.positionals.dropFirst())
        let features: Tensor<Float>                                          // [N, D]
        let paths: [String]
        switch (options.values["features"], images.isEmpty) {
        case (let file?, true):
            if options.values["model"] != nil { throw UsageError("--model is not used with --features") }
            (features, paths) = try ProbeFeatures.read(URL(fileURLWithPath: file))
        case (nil, false):
            let inputs = try ProbeFeatures.inputs(images)
            let (model, preprocessing, name) = try options.model()
            if let trained = probe.training["model"], trained != name {
                say("warning: the probe was trained on features of \(trained), not \(name)")
            }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("linear-probe-\(UUID().uuidString)")
            do { try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true) } catch {
                throw LinearProbeError("\(work.path): cannot create a temporary folder: \(error.localizedDescription)")
            }
            defer { try? FileManager.default.removeItem(at: work) }
            features = try ProbeFeatures.embed(inputs, model: model, preprocessing: preprocessing,
                                               features: work.appendingPathComponent("features.safetensors"), progress: embeddingProgress)
            paths = inputs.names
        case (nil, true):
            throw UsageError("give images or folders to classify, or --features FILE")
        case (_?, false):
            throw UsageError("give images or --features FILE, not both")
        }
        let (labels, probabilities) = try probe.predict(features)
        let truth = try options.values["labels"].map { try ProbeLabels.read( URL(fileURLWithPath: $0), paths: paths, classes: probe.classes) }
        let width = probe.classes.count
        let p = probabilities.contiguous().scalars                           // [N·C]
        var csv = "path,class,probability\n"
        for (row, label) in labels.enumerated() {
            csv += "\(csvField(paths[row])),\(csvField(probe.classes[label])),\(String(format: "%.4f", p[row * width + label]))\n"
        }
        if let output = options.values["output"] {
            do { try OutputFile.write(Data(csv.utf8), to: URL(fileURLWithPath: output)) } catch {
                throw LinearProbeError("cannot write the predictions: \(error)")
            }
            say("wrote \(labels.count) predictions to \(output)")
        } else {
            console.out(String(csv.dropLast()))  // Console adds the final line break
        }
        if let truth {
            console.out(ClassificationReport(classes: probe.classes, truth: truth, predicted: labels).text)
        }
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
