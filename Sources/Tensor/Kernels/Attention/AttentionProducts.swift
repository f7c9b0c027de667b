/// Attention's two products alone, as plain batched GEMMs: the peer that `internvit bench
/// --phases` and `tensor-bench attention` time the fused kernel against, to show what its
/// softmax, packing and blocking cost or save.
extension AttentionKernel {
    /// Per head h, `scores[h] = scale · Q_h · K_hᵀ` (`[N, N]`), then
    /// `output[0, :, h·hd ..< (h+1)·hd] = scores[h] · V_h` (`[N, hd]`), no softmax between
    /// them. `qkv` is a dense fused projection `[1, N, 3·D]` (Q, K, V as its column thirds),
    /// `scores` is scratch of shape `[heads, N, N]`; returns the output `[1, N, D]`.
    public static func productsAlone(qkv: Tensor<Float>, heads: Int, scale: Float, scores: Tensor<Float>) -> Tensor<Float> {
        let tokens = qkv.shape[1], width = qkv.shape[2] / 3, headDim = width / heads
        precondition(qkv.rank == 3 && qkv.shape[0] == 1 && qkv.shape[2] == 3 * width && width == heads * headDim
                     && qkv.isContiguous, "productsAlone wants a dense [1, N, 3·D] qkv, got \(qkv.shape)")
        precondition(scores.shape == [heads, tokens, tokens] && scores.isContiguous,
                     "productsAlone wants [\(heads), \(tokens), \(tokens)] scores, got \(scores.shape)")
        let output = TensorStorage<Float>(uninitializedCount: tokens * width)                  // [N, D]
        qkv.withUnsafeBufferPointer { fused in
            scores.withUnsafeBufferPointer { s in
                let base = fused.baseAddress!, sp = UnsafeMutablePointer(mutating: s.baseAddress!)
                GEMM.batched(m: tokens, n: tokens, k: headDim, alpha: scale,
                             a: base, .rowMajor(columns: 3 * width), aOffsets: (0..<heads).map { $0 * headDim },
                             b: base, .transposedRowMajor(columns: 3 * width),
                             bOffsets: (0..<heads).map { width + $0 * headDim },
                             c: sp, ldc: tokens, cOffsets: (0..<heads).map { $0 * tokens * tokens })
                GEMM.batched(m: tokens, n: headDim, k: tokens,
                             a: sp, .rowMajor(columns: tokens), aOffsets: (0..<heads).map { $0 * tokens * tokens },
                             b: base, .rowMajor(columns: 3 * width),
                             bOffsets: (0..<heads).map { 2 * width + $0 * headDim },
                             c: output.base, ldc: width, cOffsets: (0..<heads).map { $0 * headDim })
            }
        }
        return Tensor(storage: output, shape: [1, tokens, width])
    }
}
