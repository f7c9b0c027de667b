import NN
import Tensor

/// The feed-forward block of an InternViT layer (reference: `InternMLP`):
/// `fc2(GELU(fc1(x)))`, `[B, N, D] → [B, N, F] → [B, N, D]`, exact erf GELU for
/// `hidden_act = "gelu"` (fused into fc1's matrix multiply). Keys: `fc1.*`, `fc2.*`.
public final class InternMLP: Layer {
    public let mlp: MLP

    public init(config: InternVisionConfig) {
        mlp = MLP(config.hiddenSize, hidden: config.intermediateSize,
                  activation: config.usesTanhGELU ? .geluTanh : .gelu, names: ("fc1", "fc2"))
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        mlp.visitParameters(&visitor)
    }

    public func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> { mlp(x) }

    /// `[B, N, D] → [B, N, D]`, reporting `fc1`, `act` and `fc2` to `trace`.
    public func callAsFunction(_ x: Tensor<Float>, trace: ForwardTrace?) -> Tensor<Float> { mlp(x, trace: trace) }
}
