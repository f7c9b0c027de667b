/// Views: new shapes and strides over the same storage, copying nothing.
extension Tensor {
    /// The same elements in a new shape with the same element count. One extent may be
    /// `-1` and is inferred. A view when the layout allows it (always for dense
    /// tensors), otherwise a dense copy, like `torch.reshape`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = resolveShape(newShape)
        if let viewStrides = Tensor.stridesForView(from: shape, strides: strides, to: resolved) {
            return Tensor(storage: storage, shape: resolved, strides: viewStrides, offset: offset)
        }
        let dense = contiguousCopy()
        return Tensor(storage: dense.storage, shape: resolved)
    }

    /// `reshaped([...])` with the extents as arguments.
    public func reshaped(_ extents: Int...) -> Tensor { reshaped(extents) }

    /// The tensor as one dimension.
    public func flattened() -> Tensor { reshaped([-1]) }

    /// Replaces a single `-1` extent by the value that keeps the element count.
    private func resolveShape(_ newShape: [Int]) -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "more than one -1 in reshape of \(shape) to \(newShape)")
        precondition(newShape.allSatisfy { $0 >= -1 }, "invalid extent in reshape of \(shape) to \(newShape)")
        var resolved = newShape
        if let axis = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(known != 0 && count % known == 0,
                         "cannot reshape tensor of shape \(shape) into \(newShape)")
            resolved[axis] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count,
                     "cannot reshape tensor of shape \(shape) (\(count) elements) into \(newShape)")
        return resolved
    }

    /// Strides that show `shape`/`strides` as `newShape` without copying, or nil if the
    /// layout cannot (the algorithm of `torch`'s `computeStride`: each group of old axes
    /// that maps onto a group of new axes must itself be contiguous).
    static func stridesForView(from shape: [Int], strides: [Int], to newShape: [Int]) -> [Int]? {
        if elementCount(shape) == 0 { return contiguousStrides(for: newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewAxis = newShape.count - 1
        var chunkBaseStride = strides.last ?? 1
        var tensorElements = 1
        var viewElements = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorElements *= shape[axis]
            if axis == 0 || (shape[axis - 1] != 1 && strides[axis - 1] != tensorElements * chunkBaseStride) {
                while viewAxis >= 0 && (viewElements < tensorElements || newShape[viewAxis] == 1) {
                    newStrides[viewAxis] = viewElements * chunkBaseStride
                    viewElements *= newShape[viewAxis]
                    viewAxis -= 1
                }
                if viewElements != tensorElements { return nil }
                if axis > 0 {
                    chunkBaseStride = strides[axis - 1]
                    tensorElements = 1
                    viewElements = 1
                }
            }
        }
        if viewAxis != -1 { return nil }
        return newStrides
    }

    /// The axes reordered: result axis i is this tensor's axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order.map { normalizedAxis($0) }).count == rank,
                     "permutation \(order) is not a permutation of the axes of shape \(shape)")
        let axes = order.map { normalizedAxis($0) }
        return Tensor(storage: storage, shape: axes.map { shape[$0] },
                      strides: axes.map { strides[$0] }, offset: offset)
    }

    /// `permuted([...])` with the axes as arguments.
    public func permuted(_ order: Int...) -> Tensor { permuted(order) }

    /// Swaps two axes (by default the last two, the matrix transpose).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        precondition(rank >= 2 || (axis0 == axis1), "transpose of a tensor of shape \(shape)")
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(axis0), normalizedAxis(axis1))
        return permuted(order)
    }

    /// Elements `range` along `axis` (a view). `step` > 0 takes every step-th element.
    public func sliced(axis: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice \(range) out of bounds for axis \(axis) of shape \(shape)")
        precondition(step > 0, "slice step must be positive, got \(step)")
        var newShape = shape
        var newStrides = strides
        newShape[a] = (range.count + step - 1) / step
        newStrides[a] = strides[a] * step
        let newOffset = newShape[a] == 0 ? offset : offset + range.lowerBound * strides[a]
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: newOffset)
    }

    /// `sliced(axis:_:)` with a closed range.
    public func sliced(axis: Int, _ range: ClosedRange<Int>) -> Tensor {
        sliced(axis: axis, range.lowerBound..<(range.upperBound + 1))
    }

    /// The sub-tensor at `index` along `axis`, with that axis removed (a view).
    public func selecting(axis: Int, index: Int) -> Tensor {
        let a = normalizedAxis(axis)
        let i = index < 0 ? index + shape[a] : index
        precondition(i >= 0 && i < shape[a], "index \(index) out of range for axis \(axis) of shape \(shape)")
        var newShape = shape, newStrides = strides
        newShape.remove(at: a)
        newStrides.remove(at: a)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset + i * strides[a])
    }

    /// The tensor broadcast to `newShape` (numpy rules: axes aligned at the end, extent-1
    /// axes repeat with stride 0, new leading axes added). A view: nothing is copied.
    public func expanded(to newShape: [Int]) -> Tensor {
        precondition(newShape.count >= rank, "cannot expand shape \(shape) to \(newShape)")
        let lead = newShape.count - rank
        var newStrides = [Int](repeating: 0, count: newShape.count)
        for axis in 0..<newShape.count where axis >= lead {
            let old = shape[axis - lead]
            if old == newShape[axis] {
                newStrides[axis] = strides[axis - lead]
            } else {
                precondition(old == 1, "cannot expand shape \(shape) to \(newShape)")
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// Inserts an extent-1 axis at `axis` (which may equal `rank`; negative counts from the end).
    public func unsqueezed(axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "axis \(axis) out of range to unsqueeze shape \(shape)")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: a)
        newStrides.insert(a < rank ? strides[a] * shape[a] : 1, at: a)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// Removes `axis`, which must have extent 1.
    public func squeezed(axis: Int) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(shape[a] == 1, "cannot squeeze axis \(axis) of extent \(shape[a]) in shape \(shape)")
        return selecting(axis: a, index: 0)
    }
}
