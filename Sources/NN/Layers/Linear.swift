import Tensor

/// A fully connected layer, `y = x · Wᵀ + b`, as `torch.nn.Linear`.
///
/// Parameters: `weight` `[out, in]`, `bias` `[out]` (optional). The weight may be kept in
/// bfloat16 or float16 (widened inside the GEMM), or quantised to int8 by
/// `quantise(to: .int8)` (integer dot-product GEMM); `activation: .gelu` fuses the GELU
/// into the GEMM's epilogue either way.
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

    /// Runs every later call in `precision`: `.int8` replaces the loaded weight by its
    /// per-output-channel int8 quantisation (`Weight.int8`), run on the integer
    /// dot-product GEMM; the float values are released (the parameter reads back as the
    /// dequantised `q · scale`, and `save` writes those). `.float32` leaves the layer as it is.
    /// `floatActivationRows` names input rows that multiply the dequantised weights in
    /// float32 instead of being quantised (e.g. `.firstOfEachSequence`: a class token).
    public func quantise(to precision: ComputePrecision,
                         floatActivationRows: Int8LinearWeights.FloatActivationRows = .none) {
        switch (precision, weight) {
        case (.float32, _), (.int8, .declared): return
        case (.int8, .int8(let q)):
            weight = .int8(q.keepingFloat(floatActivationRows))
        case (.int8, .float32(let w)):
            weight = .int8(Int8LinearWeights(weight: w).keepingFloat(floatActivationRows))
            w.storage.discardResidentPages()
        case (.int8, .bfloat16(let w)):
            weight = .int8(Int8LinearWeights(weight: w).keepingFloat(floatActivationRows))
            w.storage.discardResidentPages()   // a mapped checkpoint's pages: no longer read
        case (.int8, .float16(let w)):
            weight = .int8(Int8LinearWeights(weight: w).keepingFloat(floatActivationRows))
            w.storage.discardResidentPages()
        }
    }

    /// `[..., in] → [..., out]`.
    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        x.linear(weight: weight, bias: bias)
    }

    /// `residual + scale ⊙ (x · Wᵀ + b)`, `[..., in] → [..., out]`: a layer-scaled residual
    /// branch, fused into the product's epilogue (same bits as the separate operations).
    /// `scaledResidual.scale` is `[out]`, `scaledResidual.residual` has the output's shape.
    public func callAsFunction(_ x: Tensor<Float>, scaledResidual: ScaledResidual) -> Tensor<Float> {
        x.linear(weight: weight, bias: bias, scaledResidual: scaledResidual)
    }

    /// `[..., in] → [..., out]`, with the activation fused into the product.
    public func callAsFunction(_ x: Tensor<Float>, activation: LinearActivation) -> Tensor<Float> {
        x.linear(weight: weight, bias: bias, activation: activation)
    }
}
