import Foundation
import Imaging
import InternViT
import NN
import Tensor

/// `internvit trace IMAGE --model DIR|random [--layer L] [--json]`.
enum TraceCommand {
    static let help = """
        usage: internvit trace IMAGE --model DIR|random [--layer L] [--json] [--dtype D] [--threads N] [--no-mmap]

        Runs one image and reports every step of the forward pass, named by module path
        (embeddings; encoder.layers.L.norm1, .attn.qkv, .attn.context, .attn.proj, .norm2,
        .mlp.fc1, .mlp.act, .mlp.fc2, and encoder.layers.L, the layer's output), with its
        shape, mean, standard deviation (population), minimum and maximum.

        options:
          --layer L              only layer L's steps (negative counts from the end); default: all
          --json                 a JSON array of {"name", "shape", "mean", "std", "min", "max"}
                                 instead of a table
          --dtype float32|bfloat16
                                 weights in memory (default bfloat16)
          --threads N            threads
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["model", "layer", "threads", "dtype", "precision"], flagOptions: ["json", "no-mmap"], help: help)
        guard arguments.positionals.count == 1 else { throw UsageError(message: "give exactly one image", help: help) }
        try InternViTCommand.applyThreads(arguments, help: help)
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help),
                                           memoryMapped: InternViTCommand.memoryMapped(arguments), console: console, help: help)
        let layer = try InternViTCommand.layerIndex(arguments, layers: loaded.model.config.numHiddenLayers, help: help)
        let (_, pixels) = try InternViTCommand.modelInput(arguments.positionals[0], directory: loaded.directory,
                                                          config: loaded.model.config, console: console)
        loaded.warnIfDebugBuild(console)
        let steps = loaded.model.traceStatistics(pixels, layer: layer)                 // pixels [1, 3, H, W]
        console.out(arguments.flags.contains("json") ? json(steps) : table(steps))
    }

    /// One row per step, columns aligned.
    static func table(_ steps: [TraceStep]) -> String {
        let header = ["step", "shape", "mean", "std", "min", "max"]
        let rows = steps.map { step in
            [step.name, "\(step.shape)"] + [step.mean, step.std, step.min, step.max].map { String(format: "%.6g", $0) }
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// A JSON array of objects with keys name, shape, mean, std, min, max (a non-finite
    /// statistic is written as null).
    static func json(_ steps: [TraceStep]) -> String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let objects = steps.map { step in
            let shape = step.shape.map(String.init).joined(separator: ", ")
            return "  {\"name\": \"\(step.name)\", \"shape\": [\(shape)], \"mean\": \(number(step.mean)), "
                + "\"std\": \(number(step.std)), \"min\": \(number(step.min)), \"max\": \(number(step.max))}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]"
    }
}
