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
        case (.int8, .packed(let p)):
            weight = .int8(Int8LinearWeights(weight: p.float()).keepingFloat(floatActivationRows))
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

    /// Packs a loaded float32, bfloat16 or float16 weight once into the order the float32
    /// GEMM reads it (`Weight.packed`, same precision, same bits in every product), so a
    /// forward no longer transposes it on every call. The unpacked copy is released: a
    /// memory-mapped checkpoint's pages are given back, so resident memory does not grow.
    /// A weight borrowed from an in-memory file buffer is left as it is (the buffer would
    /// stay alive beside the packed copy). Reads back (`float`, `save`) as the same values.
    public func prepack() {
        switch weight {
        case .declared, .int8, .packed: return
        case .float32(let w):
            guard Self.isReleasable(w.storage) else { return }
            weight = .packed(PackedLinearWeights(weight: w))
            w.storage.discardResidentPages()
        case .bfloat16(let w):
            guard Self.isReleasable(w.storage) else { return }
            weight = .packed(PackedLinearWeights(weight: w))
            w.storage.discardResidentPages()
        case .float16(let w):
            guard Self.isReleasable(w.storage) else { return }
            weight = .packed(PackedLinearWeights(weight: w))
            w.storage.discardResidentPages()
        }
    }

    /// Whether packing a copy of `storage` frees the original: its own memory, or pages of
    /// a file mapping (not a tensor borrowed from an in-memory buffer of the whole file).
    private static func isReleasable<Scalar>(_ storage: TensorStorage<Scalar>) -> Bool {
        guard let owner = storage.owner else { return true }
        return (owner as? ByteBuffer)?.isMemoryMapped ?? false
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
