import NN
import Tensor

/// What a forward pass returns.
public struct InternVisionOutput: Sendable {
    /// The tokens after the last layer, `[B, 1 + h·w, D]` (class token first). No final norm.
    public let lastHiddenState: Tensor<Float>
    /// The embeddings output and each layer's output (L + 1 tensors), when requested.
    public let hiddenStates: [Tensor<Float>]?
    /// The attention probabilities `[B, H, N, N]` of the requested layer.
    public let attention: Tensor<Float>?

    /// The raw class token of the last layer, `[B, D]` (the reference's `pooler_output`).
    public var poolerOutput: Tensor<Float> { lastHiddenState.selecting(axis: 1, index: 0).contiguous() }

    /// The mean of the patch tokens (class token excluded), `[B, D]`.
    public var meanPooledPatchTokens: Tensor<Float> {
        lastHiddenState.sliced(axis: 1, 1..<lastHiddenState.shape[1]).mean(axis: 1)
    }
}

/// The InternViT vision transformer (reference: `InternVisionModel`), built only from
/// `NN` layers, with parameter paths equal to the checkpoint keys:
///
/// ```
/// pixel_values [B, 3, H, W]
///   embeddings                      → [B, N, D]    N = 1 + (H/P)(W/P)
///   encoder.layers.0 … layers.{L-1} → [B, N, D]
/// last_hidden_state [B, N, D];  pooler_output = last_hidden_state[:, 0]  [B, D]
/// ```
public final class InternVisionModel: Module {
    public let config: InternVisionConfig
    public let embeddings: InternVisionEmbeddings
    public let encoder: InternVisionEncoder

    /// A model with declared (not yet loaded) parameters; see `InternViTCheckpoint` to
    /// load one, or `InternVisionModel.random` for seeded random weights; `frozen()` to share it between tasks.
    public init(config: InternVisionConfig) {
        self.config = config
        embeddings = InternVisionEmbeddings(config: config)
        encoder = InternVisionEncoder(config: config)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "embeddings", embeddings)
        visitor.visit(child: "encoder", encoder)
    }

    /// Most patch tokens per image a forward accepts through `validateInput`: 65,536
    /// tokens (a 3584² image at patch 14) keep the MLP's `[N, F]` activations near 1 GiB
    /// for the 300M model; the model's own tile has 1,024.
    public static let maximumTokens = 1 << 16

    /// Throws unless `shape` is pixel values this model can run: `[B, C, H, W]` with the
    /// config's channel count, at least one patch per side and at most `maximumTokens`
    /// patches. `forward` traps on what this rejects; call it first on untrusted input.
    public func validateInput(shape: [Int]) throws {
        let c = config
        guard shape.count == 4, shape[0] > 0, shape[1] == c.numChannels, shape[2] >= c.patchSize, shape[3] >= c.patchSize else {
            throw ConfigError(file: "pixel_values",
                              "must be [N, \(c.numChannels), H, W] with H, W ≥ \(c.patchSize), got \(shape)")
        }
        let tokens = (shape[2] / c.patchSize).multipliedReportingOverflow(by: shape[3] / c.patchSize)
        guard !tokens.overflow, tokens.partialValue <= Self.maximumTokens else {
            throw ConfigError(file: "pixel_values", "\(shape[2]) x \(shape[3]) pixels give more than \(Self.maximumTokens) patch tokens")
        }
    }

    /// `[B, 3, H, W] → last_hidden_state [B, N, D]`.
    public func callAsFunction(_ pixels: Tensor<Float>) -> Tensor<Float> {
        forward(pixels).lastHiddenState
    }

    /// Runs the model.
    /// - Parameters:
    ///   - pixels: `[B, 3, H, W]` normalised pixels; H and W at least one patch each
    ///     (pixels past the last whole patch are ignored, as by the reference's conv).
    ///   - outputHiddenStates: also return the embeddings and every layer's output.
    ///   - attentionLayer: also return this layer's attention probabilities (negative
    ///     counts from the end).
    ///   - stopAfterLayer: run only layers `0...k` (negative counts from the end) and
    ///     return that layer's output as `lastHiddenState`: InternVL feeds its projector
    ///     from the last or the fourth-from-last layer.
    ///   - trace: sees (and may replace) every named intermediate: `embeddings`, then per
    ///     layer `encoder.layers.L.norm1`, `.attn.qkv`, `.attn.context`, `.attn.proj`,
    ///     `.norm2`, `.mlp.fc1`, `.mlp.act`, `.mlp.fc2` and `encoder.layers.L` (see
    ///     `ForwardTrace`; `internvit trace` prints their statistics).
    public func forward(_ pixels: Tensor<Float>, outputHiddenStates: Bool = false, attentionLayer: Int? = nil,
                        stopAfterLayer: Int? = nil, trace: ForwardTrace? = nil) -> InternVisionOutput {
        precondition(pixels.rank == 4 && pixels.shape[1] == config.numChannels,
                     "pixel_values must be [B, \(config.numChannels), H, W], got \(pixels.shape)")
        precondition(pixels.shape[2] >= config.patchSize && pixels.shape[3] >= config.patchSize,
                     "image \(pixels.shape[2]) x \(pixels.shape[3]) is smaller than one \(config.patchSize)-pixel patch")
        let layerCount = encoder.layers.count
        func resolve(_ k: Int) -> Int {
            let index = k < 0 ? layerCount + k : k
            precondition(index >= 0 && index < layerCount, "layer \(k) out of range for \(layerCount) layers")
            return index
        }
        let lastLayer = stopAfterLayer.map(resolve) ?? layerCount - 1
        let wantedAttention = attentionLayer.map(resolve)

        var x = embeddings(pixels)                                  // [B, N, D]
        trace?("embeddings", &x)
        var states: [Tensor<Float>] = outputHiddenStates ? [x] : []
        var attention: Tensor<Float>?
        for (index, layer) in encoder.layers.enumerated() where index <= lastLayer {
            let (next, probabilities) = layer(x, returnAttention: index == wantedAttention,
                                              trace: trace?.child("encoder.layers.\(index)"))
            x = next                                                // [B, N, D]
            if index == wantedAttention { attention = probabilities }
            if outputHiddenStates { states.append(x) }
        }
        return InternVisionOutput(lastHiddenState: x, hiddenStates: outputHiddenStates ? states : nil, attention: attention)
    }
}
