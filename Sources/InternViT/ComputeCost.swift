/// Arithmetic cost of a forward pass, counted from the configuration (1 multiply-add =
/// 2 FLOP; matrix products only, as the usual GFLOP figures count them).
public struct ComputeCost: Sendable, Equatable {
    /// Tokens per image (1 + patches).
    public let tokens: Int
    /// Patch embedding (a [patches, 3·P²] × [3·P², D] product).
    public let patchEmbedding: Double
    /// One encoder layer's parts.
    public let qkv: Double, attentionScores: Double, attentionValues: Double, projection: Double
    public let fc1: Double, fc2: Double
    /// Number of encoder layers.
    public let layers: Int

    /// FLOPs of one encoder layer.
    public var perLayer: Double { qkv + attentionScores + attentionValues + projection + fc1 + fc2 }
    /// FLOPs of the whole forward pass for one image.
    public var total: Double { patchEmbedding + Double(layers) * perLayer }
}

extension InternVisionConfig {
    /// The cost of one `height` × `width` image (448 × 448 for InternViT-300M-448px:
    /// 723.6 GFLOP).
    public func computeCost(height: Int? = nil, width: Int? = nil) -> ComputeCost {
        let h = (height ?? imageSize) / patchSize, w = (width ?? imageSize) / patchSize
        let patches = Double(h * w), n = patches + 1
        let d = Double(hiddenSize), f = Double(intermediateSize)
        let patchInputs = Double(numChannels * patchSize * patchSize)
        return ComputeCost(
            tokens: Int(n), patchEmbedding: 2 * patches * patchInputs * d,
            qkv: 2 * n * d * 3 * d, attentionScores: 2 * n * n * d, attentionValues: 2 * n * n * d,
            projection: 2 * n * d * d, fc1: 2 * n * d * f, fc2: 2 * n * f * d, layers: numHiddenLayers)
    }
}
