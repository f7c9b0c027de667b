/// Softmax and the normalisations of transformer layers, on `Float` tensors.
extension Tensor where Scalar == Float {
    /// Softmax along `axis` (default last): e^(x − max)/Σ e^(x − max), stable for
    /// large inputs such as ±1e4.
    public func softmax(axis: Int = -1) -> Tensor {
        let a = normalizedAxis(axis)
        if a != rank - 1 {
            // Bring the axis last, normalise rows, and put it back.
            return transposed(a, rank - 1).softmax(axis: -1).transposed(a, rank - 1).contiguous()
        }
        let dense = contiguous()
        let n = shape[a]
        let result = TensorStorage<Float>(uninitializedCount: count)
        if count > 0 {
            RowKernels.softmax(dense.storage.base + dense.offset, rows: count / n, n: n, into: result.base)
        }
        return Tensor(storage: result, shape: shape)
    }

    /// Layer normalisation over the last axis: (x − mean)/√(var + ε)·weight + bias with
    /// the population variance. `weight` and `bias` have shape `[D]` (D = last extent)
    /// or are nil.
    public func layerNorm(weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        rowNormalized(weight: weight, bias: bias) { x, rows, n, w, b, out in
            RowKernels.layerNorm(x, rows: rows, n: n, weight: w, bias: b, epsilon: epsilon, into: out)
        }
    }

    /// RMS normalisation over the last axis: x/√(mean(x²) + ε)·weight. `weight` has
    /// shape `[D]` or is nil.
    public func rmsNorm(weight: Tensor? = nil, epsilon: Float = 1e-6) -> Tensor {
        rowNormalized(weight: weight, bias: nil) { x, rows, n, w, _, out in
            RowKernels.rmsNorm(x, rows: rows, n: n, weight: w, epsilon: epsilon, into: out)
        }
    }

    private func rowNormalized(
        weight: Tensor?, bias: Tensor?,
        _ kernel: (UnsafePointer<Float>, Int, Int, UnsafePointer<Float>?, UnsafePointer<Float>?,
                   UnsafeMutablePointer<Float>) -> Void
    ) -> Tensor {
        precondition(rank >= 1, "normalisation of a rank-0 tensor")
        let n = shape[rank - 1]
        for (name, parameter) in [("weight", weight), ("bias", bias)] {
            if let parameter {
                precondition(parameter.shape == [n],
                             "normalisation \(name) of shape \(parameter.shape) for input of shape \(shape)")
            }
        }
        let dense = contiguous()
        let w = weight?.contiguous(), b = bias?.contiguous()
        let result = TensorStorage<Float>(uninitializedCount: count)
        if count > 0 {
            withExtendedLifetime((w, b)) {
                kernel(dense.storage.base + dense.offset, count / n, n,
                       w.map { UnsafePointer($0.storage.base + $0.offset) },
                       b.map { UnsafePointer($0.storage.base + $0.offset) }, result.base)
            }
        }
        return Tensor(storage: result, shape: shape)
    }
}
