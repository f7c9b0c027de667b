import Tensor

/// Scaled dot-product attention written plainly with `Tensor` operations: the readable
/// definition of what `AttentionKernel` computes fused, and its test oracle.
///
/// ```
/// split heads:  q, k, v [B, N, H·hd] → [B, H, N, hd]
/// scores = q · kᵀ · scale               [B, H, Nq, Nk]
/// scores += mask                        (optional, broadcast over heads)
/// p = softmax(scores) over the keys     [B, H, Nq, Nk]
/// o = p · v                             [B, H, Nq, hd]
/// merge heads:  o → [B, Nq, H·hd]
/// ```
/// It materialises the whole score tensor (B·H·Nq·Nk floats) and makes several passes
/// over it, which is why the model runs the fused kernel instead; the two agree to
/// float32 rounding (`AttentionReferenceTests`).
public enum AttentionReference {
    /// Attention of `q` `[B, Nq, H·hd]` over `k`, `v` `[B, Nk, H·hd]` with `heads` heads;
    /// `mask` `[B or 1, Nq or 1, Nk]` is added to the scores. Returns the merged output
    /// `[B, Nq, H·hd]` and the probabilities `[B, H, Nq, Nk]`.
    public static func attention(q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>, heads: Int, scale: Float,
                                 mask: Tensor<Float>? = nil) -> (output: Tensor<Float>, probabilities: Tensor<Float>) {
        let batch = q.shape[0], nq = q.shape[1], width = q.shape[2]
        precondition(width % heads == 0, "width \(width) is not divisible by \(heads) heads")
        let headDim = width / heads
        func splitHeads(_ t: Tensor<Float>) -> Tensor<Float> {                  // [B, N, H·hd] → [B, H, N, hd]
            t.reshaped([batch, t.shape[1], heads, headDim]).permuted(0, 2, 1, 3)
        }
        var scores = splitHeads(q).matmul(splitHeads(k).transposed()) * scale    // [B, H, Nq, Nk]
        if let mask { scores = scores + mask.unsqueezed(axis: 1) }               // + [B|1, 1, Nq|1, Nk]
        let probabilities = scores.softmax(axis: -1)                             // [B, H, Nq, Nk]
        let perHead = probabilities.matmul(splitHeads(v))                        // [B, H, Nq, hd]
        let merged = perHead.permuted(0, 2, 1, 3).reshaped([batch, nq, width])   // [B, Nq, H·hd]
        return (merged, probabilities)
    }
}

extension MultiHeadAttention {
    /// The whole block written plainly: projections, the optional q/k norms, then
    /// `AttentionReference.attention` and the output projection. Computes the same as
    /// `forward(_:mask:returnAttention:)` (which runs the fused kernel), one step per line.
    ///
    /// `[B, N, D] → ([B, N, D], probabilities [B, H, N, N])`.
    public func referenceForward(_ x: Tensor<Float>, mask: Tensor<Float>? = nil)
        -> (output: Tensor<Float>, attention: Tensor<Float>) {
        var q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>                   // [B, N, D] each
        if let qkv {
            let parts = qkv(x).chunked(3, axis: -1)                                 // [B, N, 3D] → 3 × [B, N, D]
            (q, k, v) = (parts[0], parts[1], parts[2])
        } else {
            (q, k, v) = (query!(x), key!(x), value!(x))
        }
        if let qNorm, let kNorm { (q, k) = (qNorm(q), kNorm(k)) }                 // over the full width D
        let (context, probabilities) = AttentionReference.attention(
            q: q, k: k, v: v, heads: heads, scale: scale, mask: mask)              // [B, N, D], [B, H, N, N]
        return (proj(context), probabilities)                                     // [B, N, D]
    }
}
