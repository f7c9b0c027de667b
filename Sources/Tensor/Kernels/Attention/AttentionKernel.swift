/// Scaled dot-product attention over many heads, fused and memory-bounded.
///
/// For each batch item b and head h, the head's keys and values are packed once into
/// the micro-kernel's panel layouts; then, for each block of queries:
/// ```
/// Sᵀ = scale · K[b, :, h] · Q[b, blk, h]ᵀ   [Nk, blk]   (micro-kernel tiles, per-thread scratch)
/// Sᵀ += maskᵀ                              (optional, broadcast over heads)
/// Pᵀ = exp(Sᵀ − max) down each column       (in place: already the packed layout of Pᵀ)
/// O[b, blk, h] = (V[b, :, h]ᵀ · Pᵀ)ᵀ / Σ    [blk, hd]   (transposed into the output)
/// ```
/// (`AttentionWorkspace` explains the key-major layout.) Q, K and V are read in place
/// through strides (e.g. as column slices of a fused qkv projection), the output is
/// written head-concatenated `[B, Nq, H·hd]`, and one head's packed K and V plus one
/// block's scores exist per thread at a time, so memory stays bounded by
/// `threads × (2·hd + block) × Nk` floats however large the batch.
///
/// Bits: each score is the micro-kernel's multiply-add chain over the head's channels
/// times `scale`, each softmax runs the same vector code whatever the table, and P·V uses
/// the table-independent depth blocking of `GEMMKernel`, so every kernel table and
/// thread count gives the same bytes.
public enum AttentionKernel {
    /// Queries per block (rounded up to a multiple of the micro-kernel's NR): 64 queries'
    /// scores over 1025 keys are 263 KB, which stays in L2 with the head's K and V.
    public static let queryBlock = 64

    /// Most queries past the last whole block that run one at a time (`attendRows`: each
    /// costs about an eighth of a 64-query block in a profile on AVX-512) rather than as
    /// one more, mostly empty, block: 1025 = 16 × 64 + 1 leaves one query.
    static let remainderRows = 6

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
        var maskView: Tensor<Float>?                                                // [B, Nq, Nk]
        if let mask {
            precondition(mask.rank == 3 && (mask.shape[0] == 1 || mask.shape[0] == batch)
                         && (mask.shape[1] == 1 || mask.shape[1] == nq) && mask.shape[2] == nk,
                         "attention mask of shape \(mask.shape) for \(batch) x \(nq) queries x \(nk) keys")
            maskView = mask.expanded(to: [batch, nq, nk])
        }
        let output = TensorStorage<Float>(uninitializedCount: batch * nq * width)   // [B, Nq, H·hd]
        let probabilities = returnProbabilities                                     // [B, H, Nq, Nk]
            ? TensorStorage<Float>(uninitializedCount: batch * heads * nq * nk) : nil
        if nk == 0 {
            // No keys: each output is an empty sum.
            output.base.update(repeating: 0, count: batch * nq * width)
        } else if batch * nq > 0 {
            withExtendedLifetime((q, k, v, maskView)) {
                run(q: q, k: k, v: v, heads: heads, headDim: headDim, scale: scale, mask: maskView,
                    output: output.base, probabilities: probabilities?.base)
            }
        }
        return (Tensor(storage: output, shape: [batch, nq, width]),
                probabilities.map { Tensor(storage: $0, shape: [batch, heads, nq, nk]) })
    }

    /// The scheduling: work items are (batch item, head, share of its query blocks).
    /// With fewer (batch item, head) pairs than a multiple of the threads, each pair's
    /// blocks are split into `threads` shares, and each share packs K and V itself.
    private static func run(
        q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>, heads: Int, headDim: Int, scale: Float,
        mask: Tensor<Float>?, output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>?
    ) {
        let batch = q.shape[0], nq = q.shape[1], width = q.shape[2], nk = k.shape[1]
        let kernel = KernelDispatch.current
        let mr = kernel.gemmRows, nr = kernel.gemmColumns
        let block = (queryBlock + nr - 1) / nr * nr
        // Queries [0, blockedRows) run in key-major blocks, the rest one at a time.
        let remainder = nq % queryBlock
        let blockedRows = remainder <= remainderRows ? nq - remainder : nq
        let blocks = (blockedRows + block - 1) / block
        let pairs = batch * heads
        // Below ~2 MFLOP a second thread costs more to wake than it saves.
        let flops = 4.0 * Double(pairs) * Double(nq) * Double(nk) * Double(headDim)
        let threads = flops < 2e6 ? 1 : ComputeThreads.count
        let shares = pairs % threads == 0 ? 1 : Swift.max(1, Swift.min(blocks, threads))
        let qBase = UnsafePointer(q.storage.base) + q.offset, kBase = UnsafePointer(k.storage.base) + k.offset
        let vBase = UnsafePointer(v.storage.base) + v.offset
        parallelFor(pairs * shares, grain: 1, threads: threads) { items in
            let workspace = AttentionWorkspace(mr: mr, nr: nr, keys: nk, headDim: headDim, queryBlock: block)
            defer { workspace.release() }
            var packedPair = -1
            for item in items {
                let pair = item / shares, share = item % shares
                let b = pair / heads, h = pair % heads
                let head = AttentionWorkspace.HeadOperands(
                    q: qBase + b * q.strides[0] + h * headDim, qRowStride: q.strides[1],
                    k: kBase + b * k.strides[0] + h * headDim, kRowStride: k.strides[1],
                    v: vBase + b * v.strides[0] + h * headDim, vRowStride: v.strides[1])
                let startBlock = blocks * share / shares, endBlock = blocks * (share + 1) / shares
                let takesRemainder = share == shares - 1 && blockedRows < nq
                if pair != packedPair && (startBlock < endBlock || takesRemainder) {
                    workspace.packHead(head)
                    packedPair = pair
                }
                var targets = AttentionWorkspace.BlockTargets(
                    output: output + b * nq * width + h * headDim, outputRowStride: width,
                    probabilities: probabilities.map { $0 + pair * nq * nk })
                if let mask {
                    targets.mask = UnsafePointer(mask.storage.base) + mask.offset + b * mask.strides[0]
                    targets.maskQueryStride = mask.strides[1]
                    targets.maskKeyStride = mask.strides[2]
                }
                for blockIndex in startBlock..<endBlock {
                    let q0 = blockIndex * block, rows = Swift.min(block, blockedRows - q0)
                    workspace.packQueries(head.q, rowStride: head.qRowStride, q0: q0, rows: rows)
                    workspace.attendBlock(q0: q0, rows: rows, scale: scale, kernel: kernel, into: targets)
                }
                if takesRemainder {
                    workspace.attendRows(q0: blockedRows, rows: nq - blockedRows, scale: scale, head: head, into: targets)
                }
            }
        }
    }
}
