import Tensor

/// Matrix products through the blocked GEMM; backward products read transposed views.
extension Variable {
    /// `[..., M, K] · [..., K, N] → [..., M, N]` with broadcast batch axes (both ranks ≥ 2).
    /// dA = dY · Bᵀ and dB = Aᵀ · dY, summed over broadcast batch axes.
    public func matmul(_ other: Variable) -> Variable {
        precondition(rank >= 2 && other.rank >= 2, "Variable.matmul needs ranks ≥ 2, got \(shape) and \(other.shape)")
        let a = value, b = other.value
        return Variable(a.matmul(b), inputs: [self, other]) { g in
            [Variable.reduced(g.matmul(b.transposed()), toShape: a.shape),
             Variable.reduced(a.transposed().matmul(g), toShape: b.shape)]
        }
    }

    /// `x · Wᵀ + b` as `nn.Linear` stores it: x `[..., I]`, weight `[O, I]`, bias `[O]`.
    ///
    /// One fused op: the forward is the inference `Tensor.linear` (one GEMM over all
    /// leading positions, bias in its epilogue); the backward is two GEMMs on the
    /// flattened `[M, ·]` views — dx = dy · W, dW = dyᵀ · x — and a column sum for the bias,
    /// instead of a batched product per leading index summed afterwards.
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        precondition(weight.rank == 2 && rank >= 1 && shape[rank - 1] == weight.shape[1],
                     "linear of \(shape) with weight \(weight.shape)")
        let inputShape = shape, outFeatures = weight.shape[0]
        let rows = value.reshaped([-1, inputShape[rank - 1]]) // [M, I]
        let w = weight.value // [O, I]
        let output = rows.linear(weight: w, bias: bias?.value) // [M, O]
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Variable(output.reshaped(Array(inputShape.dropLast()) + [outFeatures]), inputs: inputs) { g in
            let g2 = g.reshaped([-1, outFeatures]) // [M, O]
            let dx = g2.matmul(w).reshaped(inputShape) // [..., I]
            let dw = g2.transposed().matmul(rows) // [O, I]
            return bias == nil ? [dx, dw] : [dx, dw, g2.sum(axis: 0)]
        }
    }

    /// The last two axes swapped.
    public func transposedLastAxes() -> Variable {
        var order = Array(0..<rank)
        order.swapAt(rank - 2, rank - 1)
        return permuted(order)
    }

    /// The number of axes.
    public var rank: Int { value.rank }
}
