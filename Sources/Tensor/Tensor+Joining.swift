/// Joining tensors and picking rows.
extension Tensor {
    /// Joins tensors along an existing `axis`; all other extents must match.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate of no tensors")
        let first = tensors[0]
        let a = first.normalizedAxis(axis)
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                         "cannot concatenate shapes \(first.shape) and \(t.shape) along axis \(axis)")
        }
        var shape = first.shape
        shape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let result = TensorStorage<Scalar>(uninitializedCount: elementCount(shape))
        let elementSize = MemoryLayout<Scalar>.stride
        let outRowBytes = shape[a] * inner * elementSize
        var columnByte = 0
        for t in tensors {
            let dense = t.contiguous()
            let chunkBytes = t.shape[a] * inner * elementSize
            let src = UnsafeRawPointer(dense.storage.base + dense.offset)
            let dst = UnsafeMutableRawPointer(result.base) + columnByte
            withExtendedLifetime(dense) {
                parallelFor(outer, grain: Swift.max(1, Grain.cheap * 4 / Swift.max(chunkBytes, 1))) { rows in
                    for o in rows {
                        (dst + o * outRowBytes).copyMemory(from: src + o * chunkBytes, byteCount: chunkBytes)
                    }
                }
            }
            columnByte += chunkBytes
        }
        return Tensor(storage: result, shape: shape)
    }

    /// Joins same-shaped tensors along a new `axis` (which may equal their rank).
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack of no tensors")
        for t in tensors {
            precondition(t.shape == tensors[0].shape,
                         "cannot stack shapes \(tensors[0].shape) and \(t.shape)")
        }
        let rank = tensors[0].rank
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "stack axis \(axis) out of range for rank \(rank)")
        return concatenate(tensors.map { $0.unsqueezed(axis: a) }, axis: a)
    }

    /// The rows `indices` of axis 0, in order (an embedding look-up): result shape
    /// `[indices.count] + shape[1...]`. Indices may repeat; negative indices count
    /// from the end.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows of a rank-0 tensor")
        let dense = contiguous()
        let rowCount = shape[0]
        let rowElements = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = indices.count
        let result = TensorStorage<Scalar>(uninitializedCount: Tensor.elementCount(newShape))
        for (k, index) in indices.enumerated() {
            let i = index < 0 ? index + rowCount : index
            precondition(i >= 0 && i < rowCount, "row index \(index) out of range for shape \(shape)")
            (result.base + k * rowElements).update(from: dense.storage.base + dense.offset + i * rowElements,
                                                   count: rowElements)
        }
        return Tensor(storage: result, shape: newShape)
    }

    /// `gatherRows` with indices held in an integer tensor of any shape: the result has
    /// shape `indices.shape + shape[1...]`.
    public func gatherRows(_ indices: Tensor<Int32>) -> Tensor {
        let rows = gatherRows(indices.scalars.map { Int($0) })
        return rows.reshaped(indices.shape + Array(shape.dropFirst()))
    }
}
