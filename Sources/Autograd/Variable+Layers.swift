import Tensor

/// The remaining ViT pieces: embedding lookup, dropout, patch embedding, attention.
extension Variable {
    /// Rows `ids` of a table `[V, D]` → `[ids.count, D]`; the gradient scatter-adds rows.
    public static func embedding(_ table: Variable, ids: [Int]) -> Variable {
        precondition(table.rank == 2, "embedding table must be [V, D], got \(table.shape)")
        let vocabulary = table.shape[0], width = table.shape[1]
        precondition(ids.allSatisfy { (0..<vocabulary).contains($0) }, "an id is outside 0..<\(vocabulary)")
        let rows = Tensor.concatenate(ids.map { table.value.sliced(axis: 0, $0..<($0 + 1)) }, axis: 0) // [n, D]
        return Variable(rows, inputs: [table]) { g in
            let upstream = g.contiguous().scalars
            var gradient = [Float](repeating: 0, count: vocabulary * width)
            for (row, id) in ids.enumerated() {
                for j in 0..<width { gradient[id * width + j] += upstream[row * width + j] }
            }
            return [Tensor(gradient, shape: [vocabulary, width])]
        }
    }

    /// Inverted dropout: zeroes each element with probability `p` (from `generator`) and
    /// scales the rest by 1/(1 − p). The identity when `training` is false.
    public func dropout(_ p: Float, training: Bool, generator: inout SeededGenerator) -> Variable {
        guard training, p > 0 else { return self }
        precondition(p < 1, "dropout probability must be below 1")
        let keep = 1 / (1 - p)
        let mask = Tensor((0..<value.count).map { _ in generator.nextUnitDouble() < Double(p) ? Float(0) : keep },
                          shape: shape) // [...]
        return Variable(value * mask, inputs: [self]) { g in [g * mask] }
    }

    /// Images `[B, C, H, W]` cut into non-overlapping `p × p` patches, each flattened in
    /// (channel, row, column) order: `[B, (H/p)(W/p), C·p·p]`. Followed by `linear` with
    /// the conv weight reshaped to `[D, C·p·p]`, this is the stride-p patch-embedding
    /// convolution (its gradient comes from reshape, permute and matmul).
    public func patches(size p: Int) -> Variable {
        precondition(rank == 4 && shape[2] % p == 0 && shape[3] % p == 0, "patches(size: \(p)) of \(shape)")
        let b = shape[0], c = shape[1], gh = shape[2] / p, gw = shape[3] / p
        return reshaped([b, c, gh, p, gw, p]).permuted([0, 2, 4, 1, 3, 5]).reshaped([b, gh * gw, c * p * p])
    }

    /// Scaled dot-product attention: softmax(q·kᵀ·scale)·v for q, k, v `[..., N, d]`.
    public static func attention(query: Variable, key: Variable, value: Variable, scale: Float) -> Variable {
        let scores = query.matmul(key.transposedLastAxes()) * scale // [..., N, N]
        return scores.softmax().matmul(value) // [..., N, d]
    }
}
