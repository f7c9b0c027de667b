import NN
import Tensor

/// Hugging Face's `ViTForImageClassification`, assembled from NN layers with the
/// checkpoint's key names:
///
/// ```
/// pixel_values                                   [B, 3, H, W]
/// vit.embeddings: patch_embeddings.projection    [B, P, D]  (conv, kernel = stride = patch)
///                 cat(cls_token) + position_embeddings   [B, 1 + P, D]
/// vit.encoder.layer.{i}:                         pre-norm, no layer scale
///   x = x + attention(layernorm_before(x))       separate query/key/value, output.dense
///   x = x + output.dense(GELU(intermediate.dense(layernorm_after(x))))
/// vit.layernorm                                  [B, 1 + P, D]  (a final norm)
/// classifier(x[:, 0])                            [B, labels]
/// ```
public final class ViTForImageClassification: Module {
    public let config: ViTConfig
    public let embeddings: ViTEmbeddings
    public let layers: [ViTLayer]
    public let layernorm: LayerNorm
    public let classifier: Linear?

    public init(config: ViTConfig) {
        self.config = config
        embeddings = ViTEmbeddings(config: config)
        layers = (0..<config.numHiddenLayers).map { _ in ViTLayer(config: config) }
        layernorm = LayerNorm(config.hiddenSize, epsilon: config.layerNormEps)
        classifier = config.labels.isEmpty ? nil : Linear(config.hiddenSize, config.labels.count)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "vit.embeddings", embeddings)
        visitor.visit(list: "vit.encoder.layer", layers)
        visitor.visit(child: "vit.layernorm", layernorm)
        visitor.visit(child: "classifier", classifier)
    }

    /// The final hidden states `[B, 1 + P, D]` (after `vit.layernorm`).
    public func features(_ pixels: Tensor<Float>) -> Tensor<Float> {
        var x = embeddings(pixels)                                 // [B, 1 + P, D]
        for layer in layers { x = layer(x) }
        return layernorm(x)
    }

    /// Logits `[B, labels]` from the class token.
    public func callAsFunction(_ pixels: Tensor<Float>) -> Tensor<Float> {
        guard let classifier else { preconditionFailure("this ViT has no classifier head (no id2label)") }
        return classifier(features(pixels).selecting(axis: 1, index: 0).contiguous())   // [B, labels]
    }
}

/// `vit.embeddings`: `cls_token` `[1, 1, D]`, `position_embeddings` `[1, 1 + P, D]`,
/// `patch_embeddings.projection` (Conv2d). No interpolation: inputs are the native size.
public final class ViTEmbeddings: Module {
    public var clsToken: Weight
    public var positionEmbeddings: Weight
    public let projection: Conv2d

    init(config: ViTConfig) {
        let d = config.hiddenSize, patches = (config.imageSize / config.patchSize) * (config.imageSize / config.patchSize)
        clsToken = .declared(shape: [1, 1, d])
        positionEmbeddings = .declared(shape: [1, 1 + patches, d])
        projection = Conv2d(config.numChannels, d, kernel: config.patchSize, stride: config.patchSize)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("cls_token", &clsToken)
        visitor.visit("position_embeddings", &positionEmbeddings)
        visitor.visit(child: "patch_embeddings.projection", projection)
    }

    func callAsFunction(_ pixels: Tensor<Float>) -> Tensor<Float> {
        let patches = projection.patchTokens(pixels)                                   // [B, P, D]
        let cls = clsToken.float.expanded(to: [pixels.shape[0], 1, patches.shape[2]])  // [B, 1, D]
        return Tensor.concatenate([cls, patches], axis: 1) + positionEmbeddings.float  // [B, 1 + P, D]
    }
}

/// `vit.encoder.layer.{i}`.
public final class ViTLayer: Module {
    public let layernormBefore: LayerNorm
    public let attention: MultiHeadAttention
    public let layernormAfter: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    /// The configured `hidden_act`.
    public let activation: Activation

    init(config: ViTConfig) {
        let d = config.hiddenSize
        activation = config.hiddenAct
        layernormBefore = LayerNorm(d, epsilon: config.layerNormEps)
        attention = MultiHeadAttention(dim: d, heads: config.numAttentionHeads, qkvBias: config.qkvBias,
                                       projections: .separate("attention.query", "attention.key", "attention.value"),
                                       outputName: "output.dense")
        layernormAfter = LayerNorm(d, epsilon: config.layerNormEps)
        intermediate = Linear(d, config.intermediateSize)
        output = Linear(config.intermediateSize, d)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "layernorm_before", layernormBefore)
        visitor.visit(child: "attention", attention)
        visitor.visit(child: "layernorm_after", layernormAfter)
        visitor.visit(child: "intermediate.dense", intermediate)
        visitor.visit(child: "output.dense", output)
    }

    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        var h = x + attention(layernormBefore(x))                                     // [B, N, D]
        let normed = layernormAfter(h)                                                // [B, N, D]
        // Exact GELU runs inside the GEMM epilogue; other activations as a separate pass.
        h += output(activation == .gelu ? intermediate(normed, activation: .gelu) : activation(intermediate(normed)))
        return h
    }
}
