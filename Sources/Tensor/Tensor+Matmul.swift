/// Matrix products with numpy's `matmul` semantics.
extension Tensor where Scalar == Float {
    /// The matrix product of the last two axes, batched over the leading axes with
    /// broadcasting (`numpy.matmul`): `[..., M, K] · [..., K, N] → [..., M, N]`. A 1-D
    /// left operand is a row vector and a 1-D right operand a column vector; the
    /// added axis is removed from the result.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 1 && other.rank >= 1, "matmul of rank-0 tensors \(shape) and \(other.shape)")
        let a = rank == 1 ? unsqueezed(axis: 0) : self
        let b = other.rank == 1 ? other.unsqueezed(axis: 1) : other
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        precondition(k == k2, "matmul shapes \(shape) and \(other.shape) do not agree (\(k) vs \(k2))")
        let batchShape = Broadcasting.shape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
        let batch = batchShape.reduce(1, *)
        let denseA = a.expanded(to: batchShape + [m, k]).contiguous()
        let denseB = b.expanded(to: batchShape + [k, n]).contiguous()
        var resultShape = batchShape + [m, n]
        let result = TensorStorage<Float>(uninitializedCount: Tensor.elementCount(resultShape))
        MatmulKernels.reference(
            denseA.storage.base + denseA.offset, denseB.storage.base + denseB.offset,
            batch: batch, m: m, n: n, k: k, into: result.base)
        if rank == 1 { resultShape.remove(at: resultShape.count - 2) }
        if other.rank == 1 { resultShape.removeLast() }
        return Tensor(storage: result, shape: resultShape)
    }
}
