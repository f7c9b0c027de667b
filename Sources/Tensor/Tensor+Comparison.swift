/// Closeness measures used by tests and parity checks.
extension Tensor where Scalar == Float {
    /// Whether every pair satisfies |a − b| ≤ atol + rtol·|b| (numpy's `allclose`, with
    /// `other` as the reference), after broadcasting. NaNs are equal only when
    /// `equalNaN` is true; infinities must match exactly.
    public func allClose(_ other: Tensor, rtol: Float = 1e-5, atol: Float = 1e-8, equalNaN: Bool = false) -> Bool {
        let shape = Broadcasting.shape(self.shape, other.shape)
        let a = expanded(to: shape).scalars, b = other.expanded(to: shape).scalars
        for (x, y) in zip(a, b) {
            if x.isNaN || y.isNaN {
                if !(equalNaN && x.isNaN && y.isNaN) { return false }
                continue
            }
            if x.isInfinite || y.isInfinite {
                if x != y { return false }
                continue
            }
            if Swift.abs(x - y) > atol + rtol * Swift.abs(y) { return false }
        }
        return true
    }

    /// The largest |a − b| over all elements (NaN if any pair involves a NaN), in `Double`.
    public func maxAbsDifference(_ other: Tensor) -> Double {
        precondition(shape == other.shape, "maxAbsDifference of shapes \(shape) and \(other.shape)")
        var worst = 0.0
        for (x, y) in zip(scalars, other.scalars) {
            let d = Swift.abs(Double(x) - Double(y))
            if d.isNaN { return .nan }
            worst = Swift.max(worst, d)
        }
        return worst
    }

    /// Cosine of the angle between the two tensors seen as flat vectors (in `Double`).
    public func cosineSimilarity(_ other: Tensor) -> Double {
        precondition(shape == other.shape, "cosineSimilarity of shapes \(shape) and \(other.shape)")
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(scalars, other.scalars) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    /// ‖a − b‖ / ‖b‖ over all elements, with `other` as the reference (in `Double`).
    public func relativeL2Difference(_ other: Tensor) -> Double {
        precondition(shape == other.shape, "relativeL2Difference of shapes \(shape) and \(other.shape)")
        var diff = 0.0, norm = 0.0
        for (x, y) in zip(scalars, other.scalars) {
            diff += (Double(x) - Double(y)) * (Double(x) - Double(y))
            norm += Double(y) * Double(y)
        }
        return (diff / norm).squareRoot()
    }
}
