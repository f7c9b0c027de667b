import NN
import Tensor

/// Multi-head self-attention of an InternViT layer (reference: `InternAttention`, the
/// `_naive_attn` path).
///
/// ```
/// qkv = Linear(D → 3D, bias = qkv_bias)(x)      [B, N, 3D]: q | k | v column blocks
/// q, k = q_norm(q), k_norm(k)                   RMSNorm over all D (6B family only)
/// per head h (hd = D/H columns each):
///   attn = softmax(q_h · k_hᵀ · hd^-0.5)         [B, H, N, N]
///   o_h  = attn · v_h                           [B, N, hd]
/// proj(concat_h o_h)                            [B, N, D]
/// ```
/// Keys: `qkv.{weight,bias}`, `q_norm.weight`, `k_norm.weight`, `proj.{weight,bias}`.
///
/// The forward runs the fused `AttentionKernel`. The readable definition, in plain
/// `Tensor` operations, is `MultiHeadAttention.referenceForward` with
/// `NN.AttentionReference.attention` (the fused kernel's test oracle):
///
/// ```swift
/// let (q, k, v) = qkv(x).chunked(3, axis: -1)                          // 3 × [B, N, D]
/// func heads(_ t) { t.reshaped([B, N, H, hd]).permuted(0, 2, 1, 3) }  // [B, H, N, hd]
/// let p = (heads(q).matmul(heads(k).transposed()) * scale).softmax()   // [B, H, N, N]
/// let o = p.matmul(heads(v)).permuted(0, 2, 1, 3).reshaped([B, N, D])  // [B, N, D]
/// return proj(o)
/// ```
public final class InternAttention: Module {
    public let attention: MultiHeadAttention

    public init(config: InternVisionConfig) {
        attention = MultiHeadAttention(
            dim: config.hiddenSize, heads: config.numAttentionHeads, qkvBias: config.qkvBias,
            projections: .fused("qkv"), outputName: "proj", outputBias: true,
            qkNormalization: config.qkNormalization ? .rms(epsilon: config.layerNormEps) : nil,
            normNames: ("q_norm", "k_norm"))
    }

    /// The parameters sit directly under `attn.` (no extra level).
    public func visitParameters(_ visitor: inout ParameterVisitor) {
        attention.visitParameters(&visitor)
    }

    public var summary: String { attention.summary }

    /// `[B, N, D] → [B, N, D]`, and the attention probabilities `[B, H, N, N]` on request.
    /// `trace` sees `qkv`, `q_norm`/`k_norm` (6B), `context` and `proj` (see `ForwardTrace`).
    public func callAsFunction(_ x: Tensor<Float>, returnAttention: Bool = false,
                               trace: ForwardTrace? = nil) -> (Tensor<Float>, Tensor<Float>?) {
        let (output, probabilities) = attention.forward(x, returnAttention: returnAttention, trace: trace)
        return (output, probabilities)
    }
}
