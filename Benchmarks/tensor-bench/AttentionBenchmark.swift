import Foundation
import Tensor

/// The fused attention of one InternViT-300M layer (1025 tokens, 16 heads of 64, q/k/v as
/// column slices of the fused qkv output) against its two products alone, run as batched
/// GEMMs on the same operands (S = scale·Q·Kᵀ per head, then S·V): the peer that shows
/// what the softmax, the packing and the blocking cost or save. 1 thread and all threads;
/// per-tile figures are one layer × 24.
enum AttentionBenchmark {
    static func run() {
        let tokens = 1025, heads = 16, headDim = 64, width = heads * headDim, layers = 24.0
        let scale = 1 / Float(headDim).squareRoot()
        let qkv = Tensor<Float>.randomNormal([1, tokens, 3 * width], seed: 5)                   // [1, N, 3D]
        let q = qkv.sliced(axis: 2, 0..<width), k = qkv.sliced(axis: 2, width..<(2 * width))
        let v = qkv.sliced(axis: 2, (2 * width)..<(3 * width))                                  // [1, N, D] each
        let scores = Tensor<Float>.zeros([heads, tokens, tokens])                               // [H, N, N]
        let flops = 4.0 * Double(heads * tokens * tokens * headDim)
        func products() { _ = AttentionKernel.productsAlone(qkv: qkv, heads: heads, scale: scale, scores: scores) }
        print("attention of one InternViT-300M layer: [1, \(tokens), \(width)], \(heads) heads of \(headDim) "
              + "(best of repeated runs; per tile = x \(Int(layers)) layers)")
        for threads in Array(Set([1, ProcessInfo.processInfo.activeProcessorCount])).sorted() {
            let fused = ComputeThreads.withCount(threads) {
                bestSeconds { _ = AttentionKernel.attention(q: q, k: k, v: v, heads: heads, scale: scale) }
            }
            let alone = ComputeThreads.withCount(threads) { bestSeconds(products) }
            print(String(format: "%dT: fused attention %.2f ms (%.0f GFLOP/s, %.0f ms per tile); "
                         + "the two products alone as batched GEMMs %.2f ms (%.0f GFLOP/s); fused / products %.2f",
                         threads, fused * 1e3, flops / fused / 1e9, fused * layers * 1e3,
                         alone * 1e3, flops / alone / 1e9, fused / alone))
        }
    }
}
