import Autograd
import Tensor

extension MultiHeadAttention {
    /// `[B, N, D] → [B, N, D]` on the tape: the same maths as `forward` (projections,
    /// optional q/k normalisation over the full width, softmax(q·kᵀ·scale)·v per head,
    /// output projection), written as `AttentionReference` writes it.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        precondition(x.rank == 3 && x.shape[2] == dim, "attention input must be [B, N, \(dim)], got \(x.shape)")
        let b = x.shape[0], n = x.shape[1], hd = dim / heads
        var q: Variable, k: Variable, v: Variable                     // [B, N, D] each
        if let qkv {
            let fused = qkv(x, context)                               // [B, N, 3D]
            q = fused.sliced(axis: 2, 0..<dim)
            k = fused.sliced(axis: 2, dim..<(2 * dim))
            v = fused.sliced(axis: 2, (2 * dim)..<(3 * dim))
        } else if let query, let key, let value {
            q = query(x, context); k = key(x, context); v = value(x, context)
        } else {
            preconditionFailure("attention without projections")
        }
        if let qNorm = qNorm as? any TrainableLayer, let kNorm = kNorm as? any TrainableLayer {
            q = qNorm(q, context)
            k = kNorm(k, context)
        }
        func split(_ t: Variable) -> Variable { t.reshaped([b, n, heads, hd]).permuted([0, 2, 1, 3]) } // [B, H, N, hd]
        let o = Variable.attention(query: split(q), key: split(k), value: split(v), scale: scale)     // [B, H, N, hd]
        let merged = o.permuted([0, 2, 1, 3]).reshaped([b, n, dim])                                   // [B, N, D]
        return proj(merged, context)
    }
}
