import Tensor

/// Layer and RMS normalisation over the last axis.
extension Variable {
    /// (x − μ)/√(σ² + ε) · weight + bias. The normalisation has a fused backward
    /// (Docs/Training.md); weight `[D]` and bias `[D]` are broadcast ops.
    public func layerNorm(weight: Variable?, bias: Variable?, epsilon: Float = 1e-5) -> Variable {
        let x = value
        let normalized = x.layerNorm(epsilon: epsilon) // [..., D]
        let reciprocalStd = (x.variance(axis: -1, keepingDimension: true) + epsilon).rsqrt() // [..., 1]
        let core = Variable(normalized, inputs: [self]) { g in
            let meanG = g.mean(axis: -1, keepingDimension: true) // [..., 1]
            let meanGX = (g * normalized).mean(axis: -1, keepingDimension: true) // [..., 1]
            return [reciprocalStd * (g - meanG - normalized * meanGX)]
        }
        let scaled = weight.map { core * $0 } ?? core
        return bias.map { scaled + $0 } ?? scaled
    }

    /// x/√(mean(x²) + ε) · weight: dx = r·(dx̂ − x̂·mean(dx̂ ⊙ x̂)), r the reciprocal RMS.
    public func rmsNorm(weight: Variable?, epsilon: Float = 1e-6) -> Variable {
        let x = value
        let reciprocalRMS = (x.squared().mean(axis: -1, keepingDimension: true) + epsilon).rsqrt() // [..., 1]
        let normalized = x * reciprocalRMS // [..., D]
        let core = Variable(normalized, inputs: [self]) { g in
            let meanGX = (g * normalized).mean(axis: -1, keepingDimension: true) // [..., 1]
            return [reciprocalRMS * (g - normalized * meanGX)]
        }
        return weight.map { core * $0 } ?? core
    }
}
