import Foundation
import Imaging
import InternViT
import NN
import Tensor

/// `internvit attention IMAGE --model DIR|random (--layer L [--head H] | --rollout) --output X.png`.
enum AttentionCommand {
    static let help = """
        usage: internvit attention IMAGE --model DIR|random (--layer L [--head H] | --rollout)
                                   --output FILE.png [--dtype D] [--threads N] [--no-mmap]

        Draws what the class token attends to, over the crop the model sees: the crop with
        the heat map blended in, the heat map alone (one colour per patch, viridis: dark =
        least, yellow = most), and a colour bar labelled with the values of its ends.

        options:
          --layer L              the class token's attention row in layer L (negative counts from
                                 the end: --layer -1 is the last layer), mean over heads
          --head H               only head H of that layer
          --rollout              attention rollout across all layers (Abnar & Zuidema 2020): per
                                 layer the mean over heads plus the identity, rows renormalised,
                                 multiplied from the first layer to the last
          --output FILE          the PNG to write
          --dtype float32|bfloat16
                                 weights in memory (default bfloat16)
          --threads N            threads
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["model", "layer", "head", "output", "threads", "dtype", "precision"],
                                      flagOptions: ["rollout", "no-mmap"], help: help)
        guard arguments.positionals.count == 1 else { throw UsageError(message: "give exactly one image", help: help) }
        guard let output = arguments.values["output"] else { throw UsageError(message: "--output FILE.png is required", help: help) }
        try OutputPath.require(output, extension: "png", help: help)
        try OutputPath.refuseOverwriting(output, inputs: [arguments.positionals[0]] + OutputPath.modelFiles(arguments.values["model"]))
        let rollout = arguments.flags.contains("rollout")
        guard rollout != (arguments.values["layer"] != nil) else {
            throw UsageError(message: "give either --layer L or --rollout", help: help)
        }
        if rollout && arguments.values["head"] != nil { throw UsageError(message: "--head needs --layer", help: help) }
        try InternViTCommand.applyThreads(arguments, help: help)
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help),
                                           memoryMapped: InternViTCommand.memoryMapped(arguments), console: console, help: help)
        let config = loaded.model.config
        let layer = try InternViTCommand.layerIndex(arguments, layers: config.numHiddenLayers, help: help)
        let head = arguments.values["head"] == nil ? nil
            : try arguments.integer("head", default: 0, range: 0...(config.numAttentionHeads - 1), help: help)
        let (crop, pixels) = try InternViTCommand.modelInput(arguments.positionals[0], directory: loaded.directory,
                                                                  config: config, console: console)
        loaded.warnIfDebugBuild(console)
        let values = classTokenAttention(loaded.model, pixels, layer: layer, head: head)
        let patch = config.patchSize
        let (h, w) = (crop.height / patch, crop.width / patch)
        let picture = AttentionPicture.draw(values, gridHeight: h, gridWidth: w, over: crop, cell: patch)
        try PNGWriter.write(picture, to: URL(fileURLWithPath: output))
        let what = layer.map { "layer \($0)" + (head.map { ", head \($0)" } ?? ", mean over heads") } ?? "rollout over \(config.numHiddenLayers) layers"
        console.err("internvit: class-token attention (\(what)) from \(values.min() ?? 0) to \(values.max() ?? 0); "
                    + "wrote \(picture.width)x\(picture.height) PNG to \(output)")
    }

    /// The class token's attention to each patch, `[h·w]`: layer `layer` (head `head` or
    /// the mean), or the rollout across all layers when `layer` is nil.
    static func classTokenAttention(_ model: InternVisionModel, _ pixels: Tensor<Float>, layer: Int?, head: Int?) -> [Float] {
        if let layer {
            let output = model.forward(pixels, attentionLayer: layer, stopAfterLayer: layer)
            guard let probabilities = output.attention else { return [] }                  // [1, H, N, N]
            return ClassTokenAttention.layer(probabilities, head: head)
        }
        final class Accumulator { var rollout = ClassTokenAttention.Rollout() }
        let accumulator = Accumulator()
        _ = model.forward(pixels, trace: ForwardTrace(includesAttentionProbabilities: true) { name, tensor in
            if name.hasSuffix(".attn.attn_probs") { accumulator.rollout.add(tensor) }      // [1, H, N, N]
        })
        return accumulator.rollout.classTokenAttention
    }
}
