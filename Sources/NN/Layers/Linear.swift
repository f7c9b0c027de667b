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
    /// The int8 copy of `weight` used instead of it once `quantiseToInt8()` ran (issue 16):
    /// per-output-channel int8 weights, per-token u8 activations, integer dot-product GEMM.
    public private(set) var int8: Int8LinearWeights?

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

    /// Quantises the loaded weight to int8 (per output channel) and runs every later call
    /// on the integer GEMM; the float weight stays (parameters and keys are unchanged).
    public func quantiseToInt8() {
        int8 = Int8LinearWeights(weight: weight.float, bias: bias?.float)
    }

    /// `[..., in] → [..., out]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        if let int8 { return int8.apply(x) }
        return x.linear(weight: weight, bias: bias)
    }

    /// `residual + scale ⊙ (x · Wᵀ + b)`, `[..., in] → [..., out]`: a layer-scaled residual
    /// branch, fused into the product's epilogue (same bits as the separate operations).
    /// `scaledResidual.scale` is `[out]`, `scaledResidual.residual` has the output's shape.
    public func callAsFunction(_ x: Tensor<Float>, scaledResidual: ScaledResidual) -> Tensor<Float> {
        if let int8 { return scaledResidual.residual + int8.apply(x) * scaledResidual.scale }
        return x.linear(weight: weight, bias: bias, scaledResidual: scaledResidual)
    }

    /// `[..., in] → [..., out]`, with the activation fused into the product.
    public func callAsFunction(_ x: Tensor<Float>, activation: LinearActivation) -> Tensor<Float> {
        if let int8 { return int8.apply(x, activation: activation) }
        return x.linear(weight: weight, bias: bias, activation: activation)
    }
}
