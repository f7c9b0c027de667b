import NN
import Tensor

/// One pre-norm transformer layer with layer scale (reference:
/// `InternVisionEncoderLayer`):
///
/// ```
/// x = x + ls1 ⊙ attn(norm1(x))        [B, N, D]
/// x = x + ls2 ⊙ mlp(norm2(x))         [B, N, D]
/// ```
/// `norm1`/`norm2` are LayerNorm (weight + bias) or RMSNorm (weight) per `norm_type`.
/// `ls1`/`ls2` are `[D]` tensors stored directly under the layer's path. DropPath is the
/// identity at inference.
public final class InternVisionEncoderLayer: Module {
    public let norm1: any Layer
    public let attn: InternAttention
    public let ls1: LayerScale
    public let norm2: any Layer
    public let mlp: InternMLP
    public let ls2: LayerScale

    public init(config: InternVisionConfig) {
        let d = config.hiddenSize
        func norm() -> any Layer {
            config.normType == .layerNorm ? LayerNorm(d, epsilon: config.layerNormEps) : RMSNorm(d, epsilon: config.layerNormEps)
        }
        norm1 = norm()
        attn = InternAttention(config: config)
        ls1 = LayerScale(d, parameterName: "")
        norm2 = norm()
        mlp = InternMLP(config: config)
        ls2 = LayerScale(d, parameterName: "")
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "norm1", norm1)
        visitor.visit(child: "attn", attn)
        visitor.visit(child: "ls1", ls1)
        visitor.visit(child: "norm2", norm2)
        visitor.visit(child: "mlp", mlp)
        visitor.visit(child: "ls2", ls2)
    }

    /// `[B, N, D] → [B, N, D]`, plus this layer's attention probabilities on request.
    public func callAsFunction(_ x: Tensor<Float>, returnAttention: Bool = false) -> (Tensor<Float>, Tensor<Float>?) {
        let (attended, probabilities) = attn(norm1(x), returnAttention: returnAttention)   // [B, N, D]
        var hidden = x
        hidden += ls1(attended)
        hidden += ls2(mlp(norm2(hidden)))
        return (hidden, probabilities)
    }
}
