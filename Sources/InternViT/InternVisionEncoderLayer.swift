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
    ///
    /// `trace` (given for this layer's path, e.g. `encoder.layers.3`) sees `norm1`,
    /// `attn.qkv`, `attn.context`, `attn.proj`, `norm2`, `mlp.fc1`, `mlp.act`, `mlp.fc2`,
    /// and the layer's output under the layer's own path.
    public func callAsFunction(_ x: Tensor<Float>, returnAttention: Bool = false,
                               trace: ForwardTrace? = nil) -> (Tensor<Float>, Tensor<Float>?) {
        if trace == nil && !returnAttention {
            // The fast path: each residual branch's last product (proj, fc2) adds its
            // layer-scaled output to the residual stream in its epilogue (same bits).
            let context = attn.attention.context(norm1(x))                           // [B, N, D]
            let attended = attn.attention.proj(
                context, scaledResidual: ScaledResidual(scale: ls1.gamma.float, residual: x))   // [B, N, D]
            let expanded = mlp.mlp.hidden(norm2(attended))                             // [B, N, F]
            let output = mlp.mlp.fc2(
                expanded, scaledResidual: ScaledResidual(scale: ls2.gamma.float, residual: attended))  // [B, N, D]
            return (output, nil)
        }
        var normalized = norm1(x)                                                   // [B, N, D]
        trace?("norm1", &normalized)
        let (attended, probabilities) = attn(normalized, returnAttention: returnAttention,
                                             trace: trace?.child("attn"))           // [B, N, D]
        var hidden = x
        hidden += ls1(attended)
        var normalized2 = norm2(hidden)                                             // [B, N, D]
        trace?("norm2", &normalized2)
        hidden += ls2(mlp(normalized2, trace: trace?.child("mlp")))
        trace?("", &hidden)
        return (hidden, probabilities)
    }
}
