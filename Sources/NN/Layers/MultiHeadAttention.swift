import Foundation
import Tensor

/// Multi-head self-attention with checkpoint-named projections.
///
/// ```
/// q, k, v = split(qkv(x))   or   q(x), k(x), v(x)          [B, N, D] each
/// q, k = q_norm(q), k_norm(k)          (optional, over the full width D)
/// o = softmax(q·kᵀ/√hd + mask) · v     per head, heads concatenated [B, N, D]
/// y = proj(o)
/// ```
/// The products and the softmax run in `AttentionKernel`: fused, reading q/k/v in place
/// from the projection output, and processing queries in blocks so memory stays bounded.
/// `referenceForward` computes the same in plain tensor operations (`AttentionReference`),
/// for reading and as the kernel's test oracle.
public final class MultiHeadAttention: Module {
    /// How q, k and v are projected, with their checkpoint names.
    public enum Projections: Sendable {
        /// One Linear D → 3D (rows [0, D) = q, [D, 2D) = k, [2D, 3D) = v), e.g. `qkv`.
        case fused(String)
        /// Three Linears D → D, e.g. `("query", "key", "value")`. Names may be dotted paths.
        case separate(String, String, String)
    }

    /// Normalisation of q and k before the product.
    public enum QKNormalization: Sendable {
        /// RMSNorm over the full width (InternViT-6B's `q_norm` / `k_norm`).
        case rms(epsilon: Float)
        /// LayerNorm over the full width.
        case layer(epsilon: Float)
    }

    public let dim: Int
    public let heads: Int
    public let projections: Projections
    public let outputName: String
    public let qkv: Linear?
    public let query: Linear?, key: Linear?, value: Linear?
    public let qNorm: (any Layer)?
    public let kNorm: (any Layer)?
    public let normNames: (String, String)
    public let proj: Linear

    /// Scale of the scores: 1/√(head dim).
    public var scale: Float { 1 / Float(dim / heads).squareRoot() }

    public init(dim: Int, heads: Int, qkvBias: Bool = true, projections: Projections = .fused("qkv"),
                outputName: String = "proj", outputBias: Bool = true, qkNormalization: QKNormalization? = nil,
                normNames: (String, String) = ("q_norm", "k_norm")) {
        precondition(heads > 0 && dim % heads == 0, "width \(dim) is not divisible by \(heads) heads")
        self.dim = dim
        self.heads = heads
        self.projections = projections
        self.outputName = outputName
        switch projections {
        case .fused:
            qkv = Linear(dim, 3 * dim, bias: qkvBias)
            query = nil; key = nil; value = nil
        case .separate:
            qkv = nil
            query = Linear(dim, dim, bias: qkvBias)
            key = Linear(dim, dim, bias: qkvBias)
            value = Linear(dim, dim, bias: qkvBias)
        }
        switch qkNormalization {
        case .rms(let eps)?: qNorm = RMSNorm(dim, epsilon: eps); kNorm = RMSNorm(dim, epsilon: eps)
        case .layer(let eps)?: qNorm = LayerNorm(dim, epsilon: eps); kNorm = LayerNorm(dim, epsilon: eps)
        case nil: qNorm = nil; kNorm = nil
        }
        self.normNames = normNames
        proj = Linear(dim, dim, bias: outputBias)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        switch projections {
        case .fused(let name): visitor.visit(child: name, qkv!)
        case .separate(let q, let k, let v):
            visitor.visit(child: q, query!)
            visitor.visit(child: k, key!)
            visitor.visit(child: v, value!)
        }
        visitor.visit(child: normNames.0, qNorm)
        visitor.visit(child: normNames.1, kNorm)
        visitor.visit(child: outputName, proj)
    }

    public var summary: String { "dim=\(dim), heads=\(heads)" }

    /// `[B, N, D] → [B, N, D]`.
    public func callAsFunction(_ x: Tensor<Float>, mask: Tensor<Float>? = nil) -> Tensor<Float> {
        forward(x, mask: mask, returnAttention: false).output
    }

    /// Runs attention; with `returnAttention` also returns the probabilities `[B, H, N, N]`.
    /// `mask` (`[B or 1, N or 1, N]`) is added to the scores before the softmax.
    ///
    /// `trace` (see `ForwardTrace`) sees, under this block's path: the projection output
    /// (`qkv` `[B, N, 3D]`, or `query`/`key`/`value`), the normalised `q_norm`/`k_norm`
    /// `[B, N, D]` when present, `context` (heads merged, before the output projection,
    /// `[B, N, D]`), the output projection (`proj`), and `attn_probs` `[B, H, N, N]` when
    /// the trace asks for probabilities.
    public func forward(_ x: Tensor<Float>, mask: Tensor<Float>? = nil, returnAttention: Bool,
                        trace: ForwardTrace? = nil)
        -> (output: Tensor<Float>, attention: Tensor<Float>?) {
        let (o, probabilities) = attend(x, mask: mask, returnAttention: returnAttention, trace: trace)   // [B, N, D]
        var y = proj(o)                                               // [B, N, D]
        trace?(outputName, &y)
        return (y, returnAttention ? probabilities : nil)
    }

    /// The attention output before the output projection, heads merged: `context`
    /// `[B, N, D]`, for callers that fuse `proj` with what follows it (a layer-scaled
    /// residual: `proj(attention.context(x), scaledResidual: …)`).
    public func context(_ x: Tensor<Float>, mask: Tensor<Float>? = nil) -> Tensor<Float> {
        attend(x, mask: mask, returnAttention: false, trace: nil).context
    }

    /// Projections, q/k norms and the fused attention kernel: `context` `[B, N, D]` and the
    /// probabilities `[B, H, N, N]` when asked for (by `returnAttention` or the trace).
    private func attend(_ x: Tensor<Float>, mask: Tensor<Float>?, returnAttention: Bool, trace: ForwardTrace?)
        -> (context: Tensor<Float>, probabilities: Tensor<Float>?) {
        precondition(x.rank == 3 && x.shape[2] == dim, "attention input must be [B, N, \(dim)], got \(x.shape)")
        var q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>       // [B, N, D] each
        switch projections {
        case .fused(let name):
            var fused = qkv!(x)                                       // [B, N, 3D]
            trace?(name, &fused)
            q = fused.sliced(axis: 2, 0..<dim)
            k = fused.sliced(axis: 2, dim..<(2 * dim))
            v = fused.sliced(axis: 2, (2 * dim)..<(3 * dim))
        case .separate(let qName, let kName, let vName):
            q = query!(x); k = key!(x); v = value!(x)
            trace?(qName, &q); trace?(kName, &k); trace?(vName, &v)
        }
        if let qNorm, let kNorm {
            q = qNorm(q)
            k = kNorm(k)
            trace?(normNames.0, &q); trace?(normNames.1, &k)
        }
        let wantsProbabilities = returnAttention || trace?.includesAttentionProbabilities == true
        var (o, probabilities) = AttentionKernel.attention(
            q: q, k: k, v: v, heads: heads, scale: scale, mask: mask, returnProbabilities: wantsProbabilities)
        if let trace {
            if trace.includesAttentionProbabilities, var p = probabilities {
                trace("attn_probs", &p)
                probabilities = p
            }
            trace("context", &o)                                      // [B, N, D]
        }
        return (o, probabilities)
    }
}
