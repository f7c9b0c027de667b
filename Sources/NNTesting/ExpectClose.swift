import NN
import Tensor
import Testing

/// Records a Swift Testing issue unless `actual` equals `expected` (same shape) to within
/// `relative` × the largest magnitude of `expected` (at least 1e-3), element by element.
///
/// Meant for a float32 result against a float64 reference rounded to float32: the layers
/// here do dot products of at most a few hundred terms in float32, whose rounding error is
/// about √K·ε ≈ 1e-6 of the operands' scale; the default 1e-5 leaves a margin of ten while
/// still catching any real bug (a wrong eps, a missing bias or a swapped head moves outputs
/// by 1e-4 of scale or far more).
public func expectClose(_ actual: Tensor<Float>, _ expected: Tensor<Float>, _ context: String,
                        relative: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == expected.shape else {
        Issue.record("\(context): shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let scale = max(Double(expected.abs().max()), 1e-3)
    let worst = actual.maxAbsDifference(expected)
    if !(worst <= relative * scale) {
        Issue.record("\(context): max |diff| \(worst) > \(relative) × scale \(scale)", sourceLocation: sourceLocation)
    }
}
