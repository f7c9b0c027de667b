import Foundation
import InternViT
import NN
import Tensor

/// `internvit bench --phases`: where the time of one tile goes. Each phase of an encoder
/// layer runs on its own, as the fused forward runs it, and is timed as a median over
/// `iterations`, in latency and in CPU time of all threads (on a shared machine the CPU
/// time is the steadier figure); the attention's two products are also timed alone (as batched GEMMs on
/// the same operands), the peer of the fused kernel: what the two products cost as plain
/// GEMMs, without softmax. Per-tile figures are a layer's times × the number of layers, plus the
/// patch embedding once.
enum LayerPhases {
    /// One named phase: its median latency and median CPU time in seconds, and its
    /// floating-point operations.
    struct Phase {
        let name: String
        let seconds: Double
        let cpuSeconds: Double
        let flops: Double
    }

    /// Times every phase on the layer-0 weights of `model`, for one tile.
    static func measure(_ model: InternVisionModel, iterations: Int) -> [Phase] {
        let config = model.config, cost = config.computeCost()
        let layer = model.encoder.layers[0], attention = layer.attn.attention
        let tokens = cost.tokens, width = config.hiddenSize, heads = config.numAttentionHeads
        let headDim = width / heads
        func time(_ body: () -> Tensor<Float>) -> (wall: Double, cpu: Double) {
            var times: [Double] = [], cpuTimes: [Double] = []
            for _ in 0...iterations {   // the first run warms up
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
                let out = body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                cpuTimes.append(processCPUSeconds() - cpuStart)
                precondition(out.count > 0)
            }
            times.removeFirst()
            cpuTimes.removeFirst()
            times.sort()
            cpuTimes.sort()
            return (times[times.count / 2], cpuTimes[cpuTimes.count / 2])
        }
        let pixels = Tensor<Float>.randomUniform([1, 3, config.imageSize, config.imageSize], low: -2, high: 2, seed: 7)
        let x = Tensor<Float>.randomNormal([1, tokens, width], seed: 3)                     // [1, N, D]
        let normalized = layer.norm1(x)                                                     // [1, N, D]
        let fused = attention.qkv!(normalized)                                              // [1, N, 3D]
        let q = fused.sliced(axis: 2, 0..<width), k = fused.sliced(axis: 2, width..<(2 * width))
        let v = fused.sliced(axis: 2, (2 * width)..<(3 * width))                            // [1, N, D] each
        let context = AttentionKernel.attention(q: q, k: k, v: v, heads: heads, scale: attention.scale).output  // [1, N, D]
        let gamma1 = layer.ls1.gamma.float, gamma2 = layer.ls2.gamma.float                 // [D]
        let expanded = layer.mlp.mlp.hidden(normalized)                                     // [1, N, F]
        let layers = Double(config.numHiddenLayers)
        let embedding = time { model.embeddings(pixels) }
        var phases: [Phase] = [Phase(name: "patch embedding (once)", seconds: embedding.wall, cpuSeconds: embedding.cpu,
                                     flops: cost.patchEmbedding)]
        func add(_ name: String, flops: Double, _ body: () -> Tensor<Float>) {
            let (wall, cpu) = time(body)
            phases.append(Phase(name: name, seconds: wall * layers, cpuSeconds: cpu * layers, flops: flops * layers))
        }
        add("norm1", flops: 0) { layer.norm1(x) }
        add("qkv", flops: cost.qkv) { attention.qkv!(normalized) }
        add("attention (QKᵀ, softmax, PV)", flops: cost.attentionScores + cost.attentionValues) {
            AttentionKernel.attention(q: q, k: k, v: v, heads: heads, scale: attention.scale).output
        }
        // The two products alone, as batched GEMMs on the same strided operands.
        let scores = Tensor<Float>.zeros([heads, tokens, tokens])                           // [H, N, N]
        add("  peer: QKᵀ + PV alone as batched GEMMs", flops: cost.attentionScores + cost.attentionValues) {
            AttentionKernel.productsAlone(qkv: fused, heads: heads, scale: attention.scale, scores: scores)
        }
        add("proj + ls1 + residual", flops: cost.projection) {
            attention.proj(context, scaledResidual: ScaledResidual(scale: gamma1, residual: x))
        }
        add("norm2", flops: 0) { layer.norm2(x) }
        add("fc1 + GELU", flops: cost.fc1) { layer.mlp.mlp.hidden(normalized) }
        add("fc2 + ls2 + residual", flops: cost.fc2) {
            layer.mlp.mlp.fc2(expanded, scaledResidual: ScaledResidual(scale: gamma2, residual: x))
        }
        return phases
    }

    /// The table `internvit bench --phases` prints, with each phase's share of the sum of
    /// CPU times.
    static func report(_ phases: [Phase], wholeTile: Double?, wholeTileCPU: Double?) -> [String] {
        let main = phases.filter { !$0.name.hasPrefix(" ") }
        let total = main.reduce(0) { $0 + $1.seconds }, totalCPU = main.reduce(0) { $0 + $1.cpuSeconds }
        var lines = ["phase | CPU time per tile | share of CPU time | latency per tile | GFLOP/s (latency)",
                     "---|---|---|---|---"]
        for phase in phases {
            let rate = phase.flops > 0 ? String(format: "%.1f", phase.flops / phase.seconds / 1e9) : "—"
            lines.append("\(phase.name) | " + String(format: "%.1f ms | %.1f %% | %.1f ms | ", phase.cpuSeconds * 1e3,
                                                      100 * phase.cpuSeconds / totalCPU, phase.seconds * 1e3) + rate)
        }
        lines.append(String(format: "sum of phases | %.1f ms | 100 %% | %.1f ms |", totalCPU * 1e3, total * 1e3))
        if let wholeTile, let wholeTileCPU {
            lines.append(String(format: "whole tile (forward) | %.1f ms | | %.1f ms |", wholeTileCPU * 1e3, wholeTile * 1e3))
        }
        return lines
    }
}
