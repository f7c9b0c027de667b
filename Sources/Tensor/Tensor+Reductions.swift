/// Reductions of `Float` tensors along one axis or over all elements.
///
/// Along an axis the result drops that axis, or keeps it with extent 1 when
/// `keepingDimension` is true (numpy's `keepdims`). Reductions over an empty axis give
/// the identity (0 for sum, NaN for mean); `max`/`min`/`argmax` of an empty axis trap,
/// as in numpy.
extension Tensor where Scalar == Float {
    /// The dense tensor seen as `[outer, n, inner]` around `axis`.
    private func reductionLayout(_ axis: Int) -> (dense: Tensor, outer: Int, n: Int, inner: Int, resultShape: [Int]) {
        let a = normalizedAxis(axis)
        let dense = contiguous()
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        var resultShape = shape
        resultShape[a] = 1
        return (dense, outer, shape[a], inner, resultShape)
    }

    private func reduced<Op: ReductionOp>(_ op: Op.Type, axis: Int, keepingDimension: Bool) -> Tensor {
        let layout = reductionLayout(axis)
        let result = TensorStorage<Float>(uninitializedCount: layout.outer * layout.inner)
        ReductionKernels.reduce(op, layout.dense.storage.base + layout.dense.offset,
                                outer: layout.outer, n: layout.n, inner: layout.inner, into: result.base)
        let reducedTensor = Tensor(storage: result, shape: layout.resultShape)
        return keepingDimension ? reducedTensor : reducedTensor.squeezed(axis: axis)
    }

    private func requireNonEmpty(_ axis: Int, _ name: String) {
        precondition(shape[normalizedAxis(axis)] > 0, "\(name) along empty axis \(axis) of shape \(shape)")
    }

    /// Sum along `axis`.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduced(SumReduction.self, axis: axis, keepingDimension: keepingDimension)
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        sum(axis: axis, keepingDimension: keepingDimension) / Float(shape[normalizedAxis(axis)])
    }

    /// Largest element along `axis` (NaN propagates).
    public func max(axis: Int, keepingDimension: Bool = false) -> Tensor {
        requireNonEmpty(axis, "max")
        return reduced(MaxReduction.self, axis: axis, keepingDimension: keepingDimension)
    }

    /// Smallest element along `axis` (NaN propagates).
    public func min(axis: Int, keepingDimension: Bool = false) -> Tensor {
        requireNonEmpty(axis, "min")
        return reduced(MinReduction.self, axis: axis, keepingDimension: keepingDimension)
    }

    /// Index of the first largest element along `axis`.
    public func argmax(axis: Int, keepingDimension: Bool = false) -> Tensor<Int32> {
        requireNonEmpty(axis, "argmax")
        let layout = reductionLayout(axis)
        let result = TensorStorage<Int32>(uninitializedCount: layout.outer * layout.inner)
        ReductionKernels.argmax(layout.dense.storage.base + layout.dense.offset,
                                outer: layout.outer, n: layout.n, inner: layout.inner, into: result.base)
        let indices = Tensor<Int32>(storage: result, shape: layout.resultShape)
        return keepingDimension ? indices : indices.squeezed(axis: axis)
    }

    /// Variance along `axis`: Σ(x − mean)² / (n − correction). `correction` 0 is the
    /// population variance (numpy's default, what LayerNorm uses); 1 is the unbiased
    /// sample variance (PyTorch's default). Two passes, so no cancellation.
    public func variance(axis: Int, correction: Int = 0, keepingDimension: Bool = false) -> Tensor {
        let n = shape[normalizedAxis(axis)]
        let deviations = self - mean(axis: axis, keepingDimension: true)
        return deviations.squared().sum(axis: axis, keepingDimension: keepingDimension)
            / Float(n - correction)
    }

    /// Sum of all elements.
    public func sum() -> Float { flattenedForReduction().sum(axis: 0).item }
    /// Mean of all elements.
    public func mean() -> Float { flattenedForReduction().mean(axis: 0).item }
    /// Largest element (NaN propagates).
    public func max() -> Float { flattenedForReduction().max(axis: 0).item }
    /// Smallest element (NaN propagates).
    public func min() -> Float { flattenedForReduction().min(axis: 0).item }
    /// Flat row-major index of the first largest element.
    public func argmax() -> Int { Int(flattenedForReduction().argmax(axis: 0).item) }
    /// Variance of all elements (see `variance(axis:correction:)`).
    public func variance(correction: Int = 0) -> Float {
        flattenedForReduction().variance(axis: 0, correction: correction).item
    }

    private func flattenedForReduction() -> Tensor { contiguous().reshaped([count]) }
}
