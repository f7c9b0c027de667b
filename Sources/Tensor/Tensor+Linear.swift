/// The affine map of a Linear layer, `y = x · Wᵀ + b`, on the blocked GEMM.
///
/// `W` is `[out, in]` as PyTorch stores it, in `Float`, `BFloat16` or `Half`; half
/// precision weights are widened while packed, so they stay resident at half the memory
/// and compute in fp32. The bias add and GELU run in the GEMM's epilogue while each tile
/// of y is still in cache.
public enum LinearActivation: Sendable {
    /// y = x·Wᵀ + b
    case none
    /// y = GELU(x·Wᵀ + b), exact erf GELU.
    case gelu
}

/// `residual + scale ⊙ y` applied to a Linear layer's output `y` inside the GEMM's
/// epilogue: a transformer's layer-scaled residual branch (`x + ls ⊙ proj(…)`) without a
/// separate pass, tensor or allocation for the scaled branch. Same bits as the separate
/// operations.
public struct ScaledResidual {
    /// `[out]`: the per-channel scale (layer scale γ).
    public var scale: Tensor<Float>
    /// `[..., out]`, the shape of the layer's output: the residual stream.
    public var residual: Tensor<Float>

    public init(scale: Tensor<Float>, residual: Tensor<Float>) {
        self.scale = scale
        self.residual = residual
    }
}

extension Tensor where Scalar == Float {
    /// `x · Wᵀ + b` for `x` of shape `[..., in]`, `weight` `[out, in]`, `bias` `[out]`:
    /// result `[..., out]`. With `scaledResidual` the result is `residual + scale ⊙ (x · Wᵀ + b)`
    /// (no activation allowed then).
    public func linear(weight: Tensor<Float>, bias: Tensor<Float>? = nil, activation: LinearActivation = .none,
                       scaledResidual: ScaledResidual? = nil) -> Tensor {
        linearProduct(weight: weight, bias: bias, activation: activation, scaledResidual: scaledResidual) { m, n, k, a, c, epilogue in
            weight.withUnsafeBufferPointer { w in
                GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w.baseAddress!,
                              .transposedRowMajor(columns: k), c: c, ldc: n, epilogue: epilogue)
            }
        }
    }

    /// `x · Wᵀ + b` with a bfloat16 weight (widened inside the GEMM).
    public func linear(weight: Tensor<BFloat16>, bias: Tensor<Float>? = nil, activation: LinearActivation = .none,
                       scaledResidual: ScaledResidual? = nil) -> Tensor {
        linearProduct(weight: weight, bias: bias, activation: activation, scaledResidual: scaledResidual) { m, n, k, a, c, epilogue in
            weight.withUnsafeBufferPointer { w in
                GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w.baseAddress!,
                              .transposedRowMajor(columns: k), c: c, ldc: n, epilogue: epilogue)
            }
        }
    }

    /// `x · Wᵀ + b` with a float16 weight (widened inside the GEMM).
    public func linear(weight: Tensor<Half>, bias: Tensor<Float>? = nil, activation: LinearActivation = .none,
                       scaledResidual: ScaledResidual? = nil) -> Tensor {
        linearProduct(weight: weight, bias: bias, activation: activation, scaledResidual: scaledResidual) { m, n, k, a, c, epilogue in
            weight.withUnsafeBufferPointer { w in
                GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w.baseAddress!,
                              .transposedRowMajor(columns: k), c: c, ldc: n, epilogue: epilogue)
            }
        }
    }

    /// `x · Wᵀ + b` with `W` packed once for the GEMM (`PackedLinearWeights`): the same
    /// bits as the unpacked weight, without re-transposing it on every call.
    public func linear(weight: PackedLinearWeights, bias: Tensor<Float>? = nil, activation: LinearActivation = .none,
                       scaledResidual: ScaledResidual? = nil) -> Tensor {
        linearProduct(weightShape: [weight.outFeatures, weight.inFeatures], bias: bias, activation: activation,
                      scaledResidual: scaledResidual) { m, n, k, a, c, epilogue in
            GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), packedB: weight, c: c, ldc: n, epilogue: epilogue)
        }
    }

    /// Shapes, bias checks and the epilogue choice shared by the `linear` overloads.
    private func linearProduct<W: TensorScalar>(
        weight: Tensor<W>, bias: Tensor<Float>?, activation: LinearActivation, scaledResidual: ScaledResidual?,
        _ multiply: (Int, Int, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>, GEMMEpilogue) -> Void
    ) -> Tensor {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        return linearProduct(weightShape: weight.shape, bias: bias, activation: activation,
                             scaledResidual: scaledResidual, multiply)
    }

    /// The same for a weight of shape `weightShape` (`[out, in]`).
    private func linearProduct(
        weightShape: [Int], bias: Tensor<Float>?, activation: LinearActivation, scaledResidual: ScaledResidual?,
        _ multiply: (Int, Int, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>, GEMMEpilogue) -> Void
    ) -> Tensor {
        let outFeatures = weightShape[0], inFeatures = weightShape[1]
        precondition(rank >= 1 && shape[rank - 1] == inFeatures,
                     "linear input of shape \(shape) does not end in \(inFeatures) (weight \(weightShape))")
        if let bias {
            precondition(bias.shape == [outFeatures], "linear bias of shape \(bias.shape) for weight \(weightShape)")
        }
        let rows = count / Swift.max(inFeatures, 1)
        let input = contiguous()
        let resultShape = Array(shape.dropLast()) + [outFeatures]
        let result = TensorStorage<Float>(uninitializedCount: Tensor.elementCount(resultShape))
        let denseBias = bias?.contiguous()
        if let scaledResidual {
            precondition(activation == .none, "linear with a scaled residual takes no activation")
            precondition(scaledResidual.scale.shape == [outFeatures] && scaledResidual.residual.shape == resultShape,
                         "linear residual \(scaledResidual.residual.shape) and scale \(scaledResidual.scale.shape) "
                         + "for an output of shape \(resultShape)")
        }
        let denseScale = scaledResidual?.scale.contiguous()                      // [out]
        let denseResidual = scaledResidual?.residual.contiguous()                // [..., out]
        withExtendedLifetime((input, denseBias, denseScale, denseResidual)) {
            let biasPointer = denseBias.map { UnsafePointer($0.storage.base + $0.offset) }
            let epilogue: GEMMEpilogue
            switch (activation, biasPointer) {
            case (.none, let b):
                if let denseScale, let denseResidual {
                    epilogue = .biasScaleResidual(
                        bias: b, scale: denseScale.storage.base + denseScale.offset,
                        residual: denseResidual.storage.base + denseResidual.offset, residualStride: outFeatures)
                } else {
                    epilogue = b.map { .bias($0) } ?? .none
                }
            case (.gelu, nil): epilogue = .gelu
            case (.gelu, let b?): epilogue = .biasGELU(b)
            }
            multiply(rows, outFeatures, inFeatures, UnsafePointer(input.storage.base + input.offset), result.base, epilogue)
        }
        return Tensor(storage: result, shape: resultShape)
    }
}
