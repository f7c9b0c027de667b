import Tensor

/// Layer normalisation over the last axis, as `torch.nn.LayerNorm(dim, eps)`:
/// (x − mean)/√(var + ε)·weight + bias with the population variance.
/// Parameters: `weight` `[dim]`, `bias` `[dim]` (both absent without `affine`).
public final class LayerNorm: Layer {
    public let dim: Int
    public let epsilon: Float
    public var weight: Weight?
    public var bias: Weight?

    public init(_ dim: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        self.dim = dim
        self.epsilon = epsilon
        weight = affine ? .declared(shape: [dim]) : nil
        bias = affine ? .declared(shape: [dim]) : nil
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("weight", &weight)
        visitor.visit("bias", &bias)
    }

    public var summary: String { "(\(dim),), eps=\(epsilon), elementwise_affine=\(weight == nil ? "False" : "True")" }

    /// `[..., dim] → [..., dim]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        x.layerNorm(weight: weight?.float, bias: bias?.float, epsilon: epsilon)
    }
}
