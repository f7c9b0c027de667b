import Foundation
import InternViT
import NN
import Tensor

/// `internvit inspect --model DIR|random`.
enum InspectCommand {
    static let help = """
        usage: internvit inspect --model DIR|random [--dtype float32|bfloat16] [--walkthrough [--size HxW]] [--no-mmap]

        Prints the configuration, a parameter table per module with counts and dtypes,
        the FLOPs of one 448x448 tile, and the memory the weights take.
        --walkthrough prints instead, as a Markdown table, every step of the forward pass
        with its output shape, parameters and FLOPs (for --size HxW, default native).

        options:
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["model", "dtype", "precision", "size"], flagOptions: ["walkthrough", "no-mmap"], help: help)
        guard arguments.positionals.isEmpty else { throw UsageError(message: "unexpected argument '\(arguments.positionals[0])'", help: help) }
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        let loaded = try ModelLoading.load(arguments.values["model"], dtype: dtype, precision: try InternViTCommand.precision(arguments, help: help), memoryMapped: InternViTCommand.memoryMapped(arguments),
                                           console: console, help: help)
        let c = loaded.model.config
        if arguments.flags.contains("walkthrough") {
            var height: Int?, width: Int?
            if let size = arguments.values["size"] {
                let parts = size.split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2, parts.allSatisfy({ $0 >= c.patchSize && $0 <= 1 << 14 }) else {
                    throw UsageError(message: "--size must be HxW with sides of at least one patch, got '\(size)'", help: help)
                }
                (height, width) = (parts[0], parts[1])
            }
            console.out("| step | output shape | parameters | GFLOP |")
            console.out("|---|---|---:|---:|")
            for s in loaded.model.walkthrough(height: height, width: width) {
                console.out("| \(s.step) | \(s.shape) | \(format(s.parameters)) | \(s.flops == 0 ? "" : String(format: "%.3f", s.flops / 1e9)) |")
            }
            return
        }
        console.out("model: \(loaded.directory?.path ?? "random InternViT-300M-448px (seed 0)")")
        console.out(loaded.buildInfo.description)
        console.out("config: hidden_size \(c.hiddenSize), intermediate_size \(c.intermediateSize), heads \(c.numAttentionHeads) "
                    + "(head dim \(c.headDim)), layers \(c.numHiddenLayers), patch \(c.patchSize), image \(c.imageSize), "
                    + "norm \(c.normType.rawValue), qkv_bias \(c.qkvBias), qk_normalization \(c.qkNormalization), "
                    + "eps \(c.layerNormEps), act \(c.hiddenAct.configName)")
        console.out("")
        console.out(row("module", "parameters", "dtype", "tensors"))
        let parameters = loaded.model.namedParameters()
        var groups: [(String, Int, Set<String>, Int)] = []
        for (path, weight) in parameters {
            // One row per module: a layer's children (attn, mlp, norm1, ls1, …), the
            // embeddings' tensors and patch embedding.
            let parts = path.split(separator: ".").map(String.init)
            let name = parts.count > 3 && parts[0] == "encoder" ? parts[0...3].joined(separator: ".")
                : ["weight", "bias"].contains(parts.last ?? "") ? parts.dropLast().joined(separator: ".") : path
            if let last = groups.last, last.0 == name {
                groups[groups.count - 1].1 += weight.count
                groups[groups.count - 1].2.insert(weight.dtype?.description ?? "-")
                groups[groups.count - 1].3 += 1
            } else {
                groups.append((name, weight.count, [weight.dtype?.description ?? "-"], 1))
            }
        }
        for (name, count, dtypes, tensors) in groups {
            console.out(row(name, format(count), dtypes.sorted().joined(separator: ","), String(tensors)))
        }
        let total = parameters.reduce(0) { $0 + $1.weight.count }
        let bytes = parameters.reduce(0) { $0 + $1.weight.count * ($1.weight.dtype?.byteCount ?? 0) }
        console.out(row("total", format(total), "", String(parameters.count)))
        console.out("")
        let cost = c.computeCost()
        console.out(String(format: "FLOPs per %dx%d tile (%d tokens): %.2f GFLOP", c.imageSize, c.imageSize, cost.tokens, cost.total / 1e9))
        console.out(String(format: "  patch embedding %.3f; per layer %.3f (qkv %.3f, q·kᵀ %.3f, attn·v %.3f, proj %.3f, fc1 %.3f, fc2 %.3f) × %d",
                           cost.patchEmbedding / 1e9, cost.perLayer / 1e9, cost.qkv / 1e9, cost.attentionScores / 1e9,
                           cost.attentionValues / 1e9, cost.projection / 1e9, cost.fc1 / 1e9, cost.fc2 / 1e9, cost.layers))
        console.out(String(format: "weights in memory: %.1f MB", Double(bytes) / 1e6))
        if let rss = ModelLoading.residentBytes() {
            console.out(String(format: "process resident memory: %.1f MB (peak %.1f MB)", Double(rss.current) / 1e6, Double(rss.peak) / 1e6))
        }
    }

    static func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
        a.padding(toLength: 34, withPad: " ", startingAt: 0) + b.leftPadded(14) + "  " + c.padding(toLength: 10, withPad: " ", startingAt: 0) + d.leftPadded(8)
    }

    static func format(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
