/// Matrix products with numpy's `matmul` semantics, on the blocked GEMM.
extension Tensor where Scalar == Float {
    /// The matrix product of the last two axes, batched over the leading axes with
    /// broadcasting (`numpy.matmul`): `[..., M, K] · [..., K, N] → [..., M, N]`. A 1-D
    /// left operand is a row vector and a 1-D right operand a column vector; the
    /// added axis is removed from the result.
    ///
    /// Operands are read through their strides (transposed views, broadcast batch axes
    /// and slices cost no copy); the result is dense.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 1 && other.rank >= 1, "matmul of rank-0 tensors \(shape) and \(other.shape)")
        let a = rank == 1 ? unsqueezed(axis: 0) : self
        let b = other.rank == 1 ? other.unsqueezed(axis: 1) : other
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        precondition(k == k2, "matmul shapes \(shape) and \(other.shape) do not agree (\(k) vs \(k2))")
        let batchShape = Broadcasting.shape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
        let viewA = a.expanded(to: batchShape + [m, k])
        let viewB = b.expanded(to: batchShape + [k, n])
        var resultShape = batchShape + [m, n]
        let result = TensorStorage<Float>(uninitializedCount: Tensor.elementCount(resultShape))
        let batch = batchShape.reduce(1, *)
        // Offsets of each batch item, walking the batch axes in row-major order.
        var aOffsets: [Int] = [], bOffsets: [Int] = [], cOffsets: [Int] = []
        aOffsets.reserveCapacity(batch)
        let batchLoop = StridedLoop(shape: batchShape + [1], strides: [
            Tensor.contiguousStrides(for: batchShape) + [0], Array(viewA.strides.dropLast(2)) + [0],
            Array(viewB.strides.dropLast(2)) + [0],
        ])
        batchLoop.forEachRow(0..<batchLoop.rowCount, bases: [0, viewA.offset, viewB.offset]) { offsets in
            for i in 0..<batchLoop.innerCount {
                cOffsets.append((offsets[0] + i * batchLoop.innerStride(0)) * m * n)
                aOffsets.append(offsets[1] + i * batchLoop.innerStride(1))
                bOffsets.append(offsets[2] + i * batchLoop.innerStride(2))
            }
        }
        GEMM.batched(
            m: m, n: n, k: k,
            a: viewA.storage.base, MatrixLayout(rowStride: viewA.strides[viewA.rank - 2], columnStride: viewA.strides[viewA.rank - 1]),
            aOffsets: aOffsets,
            b: viewB.storage.base, MatrixLayout(rowStride: viewB.strides[viewB.rank - 2], columnStride: viewB.strides[viewB.rank - 1]),
            bOffsets: bOffsets,
            c: result.base, ldc: n, cOffsets: cOffsets)
        if rank == 1 { resultShape.remove(at: resultShape.count - 2) }
        if other.rank == 1 { resultShape.removeLast() }
        return Tensor(storage: result, shape: resultShape)
    }
}
