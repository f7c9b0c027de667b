import Tensor

/// Per-channel scaling of a residual branch, `x ⊙ γ` with γ of shape `[dim]` (CaiT,
/// InternViT's `ls1` / `ls2`).
///
/// `parameterName` is the checkpoint spelling: timm stores `ls1.gamma`; InternViT stores
/// the tensor directly as `ls1`, which an empty name expresses (the parameter's path is
/// the module's own path).
public final class LayerScale: Layer {
    public let dim: Int
    public let parameterName: String
    public var gamma: Weight

    public init(_ dim: Int, parameterName: String = "gamma") {
        self.dim = dim
        self.parameterName = parameterName
        gamma = .declared(shape: [dim])
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(parameterName, &gamma)
    }

    public var summary: String { "(\(dim),)" }

    /// `[..., dim] → [..., dim]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { x * gamma.float }
}
