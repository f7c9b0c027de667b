import Tensor

/// The value of one parameter: a tensor in the precision it is kept in.
///
/// Checkpoints store weights in bfloat16 (InternViT) or float32; a `Weight` keeps either
/// (and float16), so a model can stay resident in half the memory and widen inside the
/// matmul. `declared` is a parameter whose shape is known but whose values have not been
/// loaded yet (a freshly built model, before `load`), so building a 300M-parameter model
/// allocates nothing. `int8` is a linear layer's `[out, in]` weight quantised per output
/// channel for the integer dot-product GEMM (`Linear.quantise(to:)`); its float values
/// are gone, and `float` / `anyTensor` give the dequantised `q · scale` in float32.
/// `packed` is a linear layer's `[out, in]` weight packed once for the float32 GEMM
/// (`Linear.prepack()`), in its stored precision: `float` and `anyTensor` give back the
/// same values as before packing.
public enum Weight: Sendable {
    case declared(shape: [Int])
    case float32(Tensor<Float>)
    case bfloat16(Tensor<BFloat16>)
    case float16(Tensor<Half>)
    case int8(Int8LinearWeights)
    case packed(PackedLinearWeights)

    /// The shape.
    public var shape: [Int] {
        switch self {
        case .declared(let shape): return shape
        case .float32(let t): return t.shape
        case .bfloat16(let t): return t.shape
        case .float16(let t): return t.shape
        case .int8(let q): return [q.outFeatures, q.inFeatures]
        case .packed(let p): return [p.outFeatures, p.inFeatures]
        }
    }

    /// The element type (`nil` while only declared).
    public var dtype: DType? {
        switch self {
        case .declared: return nil
        case .float32: return .float32
        case .bfloat16: return .bfloat16
        case .float16: return .float16
        case .int8: return .int8
        case .packed(let p): return p.dtype
        }
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Whether values are present.
    public var isLoaded: Bool {
        if case .declared = self { return false }
        return true
    }

    /// The values as `Float` (no copy when stored as `Float`). Traps if not loaded: using
    /// a model before loading its weights is a programming error.
    public var float: Tensor<Float> {
        switch self {
        case .declared(let shape): preconditionFailure("parameter of shape \(shape) used before it was loaded")
        case .float32(let t): return t
        case .bfloat16(let t): return t.toFloat()
        case .float16(let t): return t.toFloat()
        case .int8(let q): return q.dequantised()
        case .packed(let p): return p.float()
        }
    }

    /// The values as a type-erased tensor (for saving), or nil if not loaded; an `int8`
    /// weight is saved as its dequantised float32 values (`q · scale`).
    public var anyTensor: AnyTensor? {
        switch self {
        case .declared: return nil
        case .float32(let t): return .float32(t)
        case .bfloat16(let t): return .bfloat16(t)
        case .float16(let t): return .float16(t)
        case .int8(let q): return .float32(q.dequantised())
        case .packed(let p): return p.unpacked()
        }
    }

    /// The same values in another precision (an `int8` weight stays as it is; a `packed`
    /// one is unpacked first, unless it already has that precision).
    public func converted(to dtype: DType) -> Weight {
        switch (self, dtype) {
        case (.declared, _), (.int8, _): return self
        case (.packed(let p), _):
            guard p.dtype != dtype else { return self }
            switch p.unpacked() {
            case .float32(let t): return Weight.float32(t).converted(to: dtype)
            case .bfloat16(let t): return Weight.bfloat16(t).converted(to: dtype)
            case .float16(let t): return Weight.float16(t).converted(to: dtype)
            default: preconditionFailure("packed weights are float32, bfloat16 or float16")
            }
        case (_, .float32): return .float32(float)
        case (.float32(let t), .bfloat16): return .bfloat16(t.converted(to: BFloat16.self))
        case (.float16(let t), .bfloat16): return .bfloat16(t.toFloat().converted(to: BFloat16.self))
        case (.float32(let t), .float16): return .float16(t.converted(to: Half.self))
        case (.bfloat16(let t), .float16): return .float16(t.toFloat().converted(to: Half.self))
        default: return self
        }
    }
}

extension Tensor where Scalar == Float {
    /// `x · Wᵀ + b` with the weight in whatever precision it is kept (see `linear`).
    public func linear(weight: Weight, bias: Weight?, activation: LinearActivation = .none,
                       scaledResidual: ScaledResidual? = nil) -> Tensor {
        let b = bias?.float
        switch weight {
        case .declared(let shape): preconditionFailure("linear weight of shape \(shape) used before it was loaded")
        case .float32(let w): return linear(weight: w, bias: b, activation: activation, scaledResidual: scaledResidual)
        case .bfloat16(let w): return linear(weight: w, bias: b, activation: activation, scaledResidual: scaledResidual)
        case .float16(let w): return linear(weight: w, bias: b, activation: activation, scaledResidual: scaledResidual)
        case .int8(let q):
            // The integer GEMM's own epilogue adds the scaled residual, tile by tile.
            return q.apply(self, bias: b, activation: activation, scaledResidual: scaledResidual)  // [..., out]
        case .packed(let p): return linear(weight: p, bias: b, activation: activation, scaledResidual: scaledResidual)
        }
    }
}
