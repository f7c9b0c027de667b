import NN
import Tensor

extension InternVisionModel {
    /// Runs the four linear layers of every encoder block (`attn.qkv` or `attn.{q,k,v}`,
    /// `attn.proj`, `mlp.fc1`, `mlp.fc2`: all but ~0.3 % of the FLOPs) in `precision` from
    /// now on (issue 16). Call once, after the weights are loaded:
    /// ```swift
    /// let model = try InternViTCheckpoint.load(directory)
    /// model.quantiseLinearLayers(to: .int8)
    /// let frozen = try model.frozen()   // keeps the int8 weights
    /// ```
    /// For `.int8` every weight is quantised per output channel (rows spread over the
    /// compute threads) and its float copy released: the layers hold 1 byte per weight,
    /// and the memory-mapped bf16 pages are no longer touched by a forward. Activations
    /// are quantised per token on every call; patch embedding, attention softmax, norms,
    /// GELU, layer scale and residuals stay float32. The class token's row (token 0 of each
    /// image) is not quantised: it multiplies the dequantised int8 weights in float32
    /// (`.firstOfEachSequence`, 1/N of the linear work). It is the model's summary and its
    /// norm is 2.5–3× below a patch token's, so with the same absolute per-token error it
    /// had the worst cosine of the tile (0.99984 → 0.99991 on the photos of
    /// `Scripts/quantization_study.py`). The parameters keep their names and
    /// shapes: they read back (and `save` writes them) as the dequantised float32 values
    /// the integer GEMM multiplies by. `.float32` changes nothing.
    public func quantiseLinearLayers(to precision: ComputePrecision) {
        guard precision != .float32 else { return }
        for layer in encoder.layers {
            let attention = layer.attn.attention
            for linear in [attention.qkv, attention.query, attention.key, attention.value, attention.proj,
                           layer.mlp.mlp.fc1, layer.mlp.mlp.fc2] {
                linear?.quantise(to: precision, floatActivationRows: .firstOfEachSequence)
            }
        }
    }

    /// Packs the weights of the encoder's linear layers once into the order the float32
    /// GEMM reads them (`Linear.prepack()`): a forward then widens each weight block
    /// contiguously instead of transposing it again on every call, with the same output
    /// bits and the same resident memory (the packed copy keeps the stored precision and
    /// the mapped checkpoint pages are given back). Call once, after loading, for float32
    /// inference over several tiles: packing costs about what two forwards' per-call
    /// packing does (~0.5 s of CPU and fresh pages for the 300M model), so a single tile
    /// does not win it back (the CLI packs from the second tile on). int8 layers are left
    /// as they are. Parameters keep their names and shapes and read back (and save) as the
    /// same values.
    public func prepackLinearLayers() {
        for layer in encoder.layers {
            let attention = layer.attn.attention
            for linear in [attention.qkv, attention.query, attention.key, attention.value, attention.proj,
                           layer.mlp.mlp.fc1, layer.mlp.mlp.fc2] {
                linear?.prepack()
            }
        }
    }

    /// The precision the encoder's linear layers run in (`.int8` once
    /// `quantiseLinearLayers(to: .int8)` ran).
    public var linearPrecision: ComputePrecision {
        if case .int8 = encoder.layers.first?.mlp.mlp.fc1.weight { return .int8 }
        return .float32
    }
}
