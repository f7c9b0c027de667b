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
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        let product = matmul(weight.transposedLastAxes()) // [..., O]
        return bias.map { product + $0 } ?? product
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
