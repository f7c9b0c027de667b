import Tensor

/// RMS normalisation over the last axis: x/√(mean(x²) + ε)·weight, no mean subtraction
/// and no bias (InternRMSNorm, T5, LLaMA). Parameter: `weight` `[dim]`.
public final class RMSNorm: Layer {
    public let dim: Int
    public let epsilon: Float
    public var weight: Weight

    public init(_ dim: Int, epsilon: Float = 1e-6) {
        self.dim = dim
        self.epsilon = epsilon
        weight = .declared(shape: [dim])
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("weight", &weight)
    }

    public var summary: String { "(\(dim),), eps=\(epsilon)" }

    /// `[..., dim] → [..., dim]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        x.rmsNorm(weight: weight.float, epsilon: epsilon)
    }
}
