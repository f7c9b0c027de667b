import Foundation
import InternViT
import NN
import Tensor

/// `internvit bench [--model DIR|random] [--tiles N] [--iterations N] [--threads N]`.
enum BenchCommand {
    static let help = """
        usage: internvit bench [--model DIR|random] [--tiles N] [--iterations N] [--threads N] [--dtype float32|bfloat16] [--precision float32|int8] [--no-mmap]

        Times the forward pass on random 448x448 pixel values: median and minimum latency
        per tile, GFLOP/s, model load time and peak resident memory. --model defaults to random.
        --encoder-layer times one encoder layer on [tiles, tokens, width] instead.
        --phases also times each phase of a layer on its own (norms, qkv, attention, proj,
        fc1 + GELU, fc2; per tile = one layer x layers) and prints their shares.

        options:
        \(InternViTCommand.precisionHelp)
        \(InternViTCommand.noMmapHelp)
        """

    static func run(_ raw: [String], console: Console) throws {
        if raw.contains("--help") || raw.contains("-h") { console.out(help); return }
        let arguments = try Arguments(raw, valueOptions: ["model", "tiles", "iterations", "threads", "dtype", "precision"],
                                      flagOptions: ["encoder-layer", "phases", "no-mmap"], help: help)
        guard arguments.positionals.isEmpty else { throw UsageError(message: "unexpected argument '\(arguments.positionals[0])'", help: help) }
        let tiles = try arguments.integer("tiles", default: 1, range: 1...64, help: help)
        let iterations = try arguments.integer("iterations", default: 3, range: 1...1000, help: help)
        let dtype = try arguments.choice("dtype", ["float32", "bfloat16"], default: "bfloat16", help: help)
        try InternViTCommand.applyThreads(arguments, help: help)
        let loaded = try ModelLoading.load(arguments.values["model"] ?? "random", dtype: dtype,
                                           precision: try InternViTCommand.precision(arguments, help: help), prepack: true,
                                           memoryMapped: InternViTCommand.memoryMapped(arguments), console: console, help: help)
        console.out(loaded.buildInfo.description)
        if loaded.model.linearPrecision == .int8 { console.out("int8 kernel: \(Int8LinearWeights.kernelName)") }
        loaded.warnIfDebugBuild(console)
        let size = loaded.model.config.imageSize
        try loaded.model.validateInput(shape: [1, 3, size, size])      // a hostile image_size: too many tokens
        if arguments.flags.contains("encoder-layer") {
            let cost = loaded.model.config.computeCost()
            let x = Tensor<Float>.randomNormal([tiles, cost.tokens, loaded.model.config.hiddenSize], seed: 3)
            let layer = loaded.model.encoder.layers[0]
            _ = layer(x)
            var times: [Double] = []
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                let (out, _) = layer(x)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                precondition(out.count > 0)
            }
            times.sort()
            let median = times[times.count / 2]
            console.out(String(format: "one encoder layer on [%d, %d, %d], %d threads: median %.2f ms, min %.2f ms; %.1f GFLOP/s (%.2f GFLOP)",
                               tiles, cost.tokens, loaded.model.config.hiddenSize, ComputeThreads.count, median * 1e3, times[0] * 1e3,
                               cost.perLayer * Double(tiles) / median / 1e9, cost.perLayer * Double(tiles) / 1e9))
            return
        }
        let pixels = Tensor<Float>.randomUniform([tiles, 3, size, size], low: -2, high: 2, seed: 7)
        _ = loaded.model(pixels)   // warm-up: first-touch of weights and buffers
        var times: [Double] = []
        let cpuStart = processCPUSeconds()
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            let out = loaded.model(pixels)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            precondition(out.count > 0)
        }
        let cpuPerTile = (processCPUSeconds() - cpuStart) / Double(iterations * tiles)
        times.sort()
        let median = times[times.count / 2] / Double(tiles), best = times[0] / Double(tiles)
        let flops = loaded.model.config.computeCost().total
        console.out("model: \(loaded.directory?.path ?? "random InternViT-300M-448px") (\(dtype) weights, \(loaded.model.linearPrecision) linear layers), threads \(ComputeThreads.count)")
        console.out(String(format: "load: %.2f s", loaded.loadSeconds))
        console.out(String(format: "per %dx%d tile (%d tiles x %d iterations): median %.3f s, min %.3f s; %.1f GFLOP/s at the median (%.1f GFLOP per tile)",
                           size, size, tiles, iterations, median, best, flops / median / 1e9, flops / 1e9))
        // CPU time of all threads: on a shared machine, less disturbed by other processes
        // than the wall-clock latency (compare with a peer's CPU time in the same run).
        console.out(String(format: "CPU time per tile (all threads): %.3f s", cpuPerTile))
        if let rss = ModelLoading.residentBytes() {
            console.out(String(format: "peak resident memory: %.1f MB", Double(rss.peak) / 1e6))
        }
        if arguments.flags.contains("phases") {
            let phases = LayerPhases.measure(loaded.model, iterations: iterations)
            for line in LayerPhases.report(phases, wholeTile: median, wholeTileCPU: cpuPerTile) { console.out(line) }
        }
    }
}

/// CPU seconds used by every thread of this process so far.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
