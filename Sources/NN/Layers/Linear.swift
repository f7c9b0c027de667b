import Tensor

/// A fully connected layer, `y = x · Wᵀ + b`, as `torch.nn.Linear`.
///
/// Parameters: `weight` `[out, in]`, `bias` `[out]` (optional). The weight may be kept in
/// bfloat16 or float16 (widened inside the GEMM); `activation: .gelu` fuses the GELU
/// into the GEMM's epilogue.
public final class Linear: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    public var weight: Weight
    public var bias: Weight?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = .declared(shape: [outFeatures, inFeatures])
        self.bias = bias ? .declared(shape: [outFeatures]) : nil
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("weight", &weight)
        visitor.visit("bias", &bias)
    }

    public var summary: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }

    /// `[..., in] → [..., out]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        x.linear(weight: weight, bias: bias)
    }

    /// `[..., in] → [..., out]`, with the activation fused into the product.
    public func callAsFunction(_ x: Tensor<Float>, activation: LinearActivation) -> Tensor<Float> {
        x.linear(weight: weight, bias: bias, activation: activation)
    }
}
