import Autograd
import Tensor

/// The functions whose gradients are checked, by the names
/// `Scripts/make_autograd_fixtures.py` gives their PyTorch twins.
enum GradientCases {
    /// name → f(inputs), the same maths as the script's lambda.
    static let all: [String: @Sendable ([Variable]) -> Variable] = [
        "linear_gelu": { v in v[0].linear(weight: v[1], bias: v[2]).gelu() },
        "gelu_tanh": { v in (v[0] * 2).geluTanh() },
        "layer_norm": { v in v[0].layerNorm(weight: v[1], bias: v[2], epsilon: 1e-5) },
        "rms_norm": { v in v[0].rmsNorm(weight: v[1], epsilon: 1e-6) },
        "softmax": { v in v[0].softmax() },
        "attention": { v in Variable.attention(query: v[0], key: v[1], value: v[2], scale: 0.5) },
        "cross_entropy": { v in v[0].crossEntropy(labels: [1, 0, 4, 2]) },
        "patch_embedding": { v in v[0].patches(size: 2).linear(weight: v[1], bias: v[2]) },
        "embedding": { v in Variable.embedding(v[0], ids: [0, 2, 2, 5]) },
        "concat_slice": { v in
            let joined = Variable.concatenated([v[0], v[1]], axis: 1) // [2, 5]
            return joined.sliced(axis: 1, 1..<4) * joined.mean(axis: 0).sliced(axis: 0, 1..<4)
        },
        "broadcast_mul_add": { v in v[0] * v[1] + v[2] },
        "cross_entropy_smoothed": { v in v[0].crossEntropy(labels: [1, 0, 4, 2], labelSmoothing: 0.1) },
        "silu": { v in (v[0] * 2).silu() },
    ]

    /// L = Σ f(inputs) ⊙ projection, the scalar whose gradient is compared.
    static func loss(_ name: String, _ inputs: [Variable], projection: Tensor<Float>) -> Variable {
        guard let function = all[name] else { fatalError("no gradient case \(name)") }
        return (function(inputs) * Variable(projection)).sum()
    }
}
