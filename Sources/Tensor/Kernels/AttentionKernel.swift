/// Scaled dot-product attention over many heads, fused and memory-bounded.
///
/// For each batch item b, head h and block of queries:
/// ```
/// S = scale · Q[b, block, h] · K[b, :, h]ᵀ      [block, Nk]   (GEMM into per-thread scratch)
/// S += mask                                     (optional, broadcast over heads)
/// P = softmax(S) row by row, in place            (while S is still in cache)
/// O[b, block, h] = P · V[b, :, h]                [block, hd]   (GEMM straight into the output)
/// ```
/// Q, K and V are read in place through strides (e.g. as column slices of a fused qkv
/// projection), the output is written head-concatenated `[B, Nq, H·hd]`, and the
/// scores of only one block per thread exist at a time, so memory stays bounded by
/// `threads × block × Nk` floats however large the batch.
public enum AttentionKernel {
    /// Most queries per block: 256 × 1025 scores = 1 MiB of scratch per thread.
    public static let queryBlock = 256

    /// Computes attention. `q` is `[B, Nq, H·hd]`, `k` and `v` are `[B, Nk, H·hd]` (any
    /// strides with a dense last axis), `mask` (if given) is `[B or 1, Nq or 1, Nk]` added
    /// to the scores (use −∞ to mask out). Returns the output `[B, Nq, H·hd]` (heads
    /// concatenated) and, if `returnProbabilities`, the softmax probabilities
    /// `[B, H, Nq, Nk]` (materialising those costs B·H·Nq·Nk floats).
    public static func attention(
        q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>, heads: Int, scale: Float,
        mask: Tensor<Float>? = nil, returnProbabilities: Bool = false
    ) -> (output: Tensor<Float>, probabilities: Tensor<Float>?) {
        precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "attention wants [B, N, D] tensors, got \(q.shape) \(k.shape) \(v.shape)")
        let batch = q.shape[0], nq = q.shape[1], width = q.shape[2]
        let nk = k.shape[1]
        precondition(k.shape == [batch, nk, width] && v.shape == [batch, nk, width],
                     "attention q \(q.shape), k \(k.shape), v \(v.shape) disagree")
        precondition(heads > 0 && width % heads == 0, "width \(width) is not divisible by \(heads) heads")
        for (name, t) in [("q", q), ("k", k), ("v", v)] {
            precondition(t.strides[2] == 1 || t.shape[2] == 1, "attention \(name) needs a dense last axis, strides \(t.strides)")
        }
        let headDim = width / heads
        var maskView: Tensor<Float>?
        if let mask {
            precondition(mask.rank == 3 && (mask.shape[0] == 1 || mask.shape[0] == batch)
                         && (mask.shape[1] == 1 || mask.shape[1] == nq) && mask.shape[2] == nk,
                         "attention mask of shape \(mask.shape) for \(batch) x \(nq) queries x \(nk) keys")
            maskView = mask.expanded(to: [batch, nq, nk])
        }
        let output = TensorStorage<Float>(uninitializedCount: batch * nq * width)
        let probabilities = returnProbabilities ? TensorStorage<Float>(uninitializedCount: batch * heads * nq * nk) : nil
        // Blocks of near-equal size, a multiple of the micro-kernel's rows: 1025 queries are
        // 4 × 210 + 185, not 4 × 256 + 1 (a one-row block repacks K and V for one query).
        // Rows never interact, so the blocking does not change any result.
        let blockRows = GEMMKernel.blockSize(nq, limit: queryBlock, multiple: KernelDispatch.current.gemmRows)
        let blocks = (nq + blockRows - 1) / blockRows
        let items = batch * heads * blocks
        let threads = ComputeThreads.count
        withExtendedLifetime((q, k, v, maskView)) {
            let qBase = UnsafePointer(q.storage.base), kBase = UnsafePointer(k.storage.base)
            let vBase = UnsafePointer(v.storage.base)
            parallelFor(items, grain: 1, threads: threads) { range in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.min(blockRows, nq) * nk)
                defer { scratch.deallocate() }
                for item in range {
                    let b = item / (heads * blocks), h = (item / blocks) % heads, block = item % blocks
                    let q0 = block * blockRows, rows = Swift.min(blockRows, nq - q0)
                    // S = scale · Q_blk · K_hᵀ
                    GEMM.multiply(
                        m: rows, n: nk, k: headDim, alpha: scale,
                        a: qBase + q.offset + b * q.strides[0] + q0 * q.strides[1] + h * headDim,
                        MatrixLayout(rowStride: q.strides[1], columnStride: 1),
                        b: kBase + k.offset + b * k.strides[0] + h * headDim,
                        MatrixLayout(rowStride: 1, columnStride: k.strides[1]),
                        c: scratch, ldc: nk, threads: 1)
                    if let maskView {
                        for r in 0..<rows {
                            let row = scratch + r * nk
                            let m = maskView.storage.base + maskView.offset + b * maskView.strides[0]
                                + (q0 + r) * maskView.strides[1]
                            for j in 0..<nk { row[j] += m[j * maskView.strides[2]] }
                        }
                    }
                    for r in 0..<rows { RowKernels.softmaxRow(scratch + r * nk, nk, scratch + r * nk) }
                    if let probabilities {
                        (probabilities.base + ((b * heads + h) * nq + q0) * nk).update(from: scratch, count: rows * nk)
                    }
                    // O_blk,h = P · V_h, written into columns h·hd ..< (h+1)·hd of the output.
                    GEMM.multiply(
                        m: rows, n: headDim, k: nk,
                        a: scratch, MatrixLayout(rowStride: nk, columnStride: 1),
                        b: vBase + v.offset + b * v.strides[0] + h * headDim,
                        MatrixLayout(rowStride: v.strides[1], columnStride: 1),
                        c: output.base + (b * nq + q0) * width + h * headDim, ldc: width, threads: 1)
                }
            }
        }
        return (Tensor(storage: output, shape: [batch, nq, width]),
                probabilities.map { Tensor(storage: $0, shape: [batch, heads, nq, nk]) })
    }
}
