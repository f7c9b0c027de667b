import NN
import Tensor

/// Every step of the forward pass for one image: the tensor shape it produces, the
/// parameters it owns and the FLOPs it costs, computed from the configuration (the
/// tables of Docs/InternViT.md are this function's output, via
/// `internvit inspect --model random --walkthrough`).
public struct WalkthroughStep: Sendable {
    public let step: String
    public let shape: [Int]
    public let parameters: Int
    public let flops: Double
}

extension InternVisionModel {
    /// The walkthrough for one `height` × `width` image (default: the native size).
    public func walkthrough(height: Int? = nil, width: Int? = nil) -> [WalkthroughStep] {
        let c = config
        let h = (height ?? c.imageSize), w = (width ?? c.imageSize)
        let gh = h / c.patchSize, gw = w / c.patchSize, n = 1 + gh * gw
        let d = c.hiddenSize, f = c.intermediateSize, heads = c.numAttentionHeads
        let cost = c.computeCost(height: h, width: w)
        func count(_ prefix: String) -> Int {
            namedParameters().filter { $0.path.hasPrefix(prefix) }.reduce(0) { $0 + $1.weight.count }
        }
        let layer = "encoder.layers.0."
        var steps = [
            WalkthroughStep(step: "pixel_values", shape: [1, 3, h, w], parameters: 0, flops: 0),
            WalkthroughStep(step: "embeddings.patch_embedding (conv \(c.patchSize)x\(c.patchSize), stride \(c.patchSize))",
                            shape: [1, gh * gw, d], parameters: count("embeddings.patch_embedding"), flops: cost.patchEmbedding),
            WalkthroughStep(step: "cat(class_embedding, patches)", shape: [1, n, d], parameters: count("embeddings.class_embedding"), flops: 0),
            WalkthroughStep(step: "+ position_embedding (grid \(c.gridSize)x\(c.gridSize) → \(gh)x\(gw))", shape: [1, n, d],
                            parameters: count("embeddings.position_embedding"), flops: 0),
            WalkthroughStep(step: "layer: norm1", shape: [1, n, d], parameters: count(layer + "norm1"), flops: 0),
            WalkthroughStep(step: "layer: attn.qkv", shape: [1, n, 3 * d], parameters: count(layer + "attn.qkv"), flops: cost.qkv),
        ]
        if c.qkNormalization {
            steps.append(WalkthroughStep(step: "layer: attn.q_norm, attn.k_norm (RMSNorm over D)", shape: [1, n, d],
                                         parameters: count(layer + "attn.q_norm") + count(layer + "attn.k_norm"), flops: 0))
        }
        steps += [
            WalkthroughStep(step: "layer: softmax(q·kᵀ/√\(d / heads)) per head", shape: [1, heads, n, n], parameters: 0, flops: cost.attentionScores),
            WalkthroughStep(step: "layer: attn · v, heads concatenated", shape: [1, n, d], parameters: 0, flops: cost.attentionValues),
            WalkthroughStep(step: "layer: attn.proj", shape: [1, n, d], parameters: count(layer + "attn.proj"), flops: cost.projection),
            WalkthroughStep(step: "layer: x + ls1 ⊙ attn", shape: [1, n, d], parameters: count(layer + "ls1"), flops: 0),
            WalkthroughStep(step: "layer: norm2", shape: [1, n, d], parameters: count(layer + "norm2"), flops: 0),
            WalkthroughStep(step: "layer: mlp.fc1 + GELU", shape: [1, n, f], parameters: count(layer + "mlp.fc1"), flops: cost.fc1),
            WalkthroughStep(step: "layer: mlp.fc2", shape: [1, n, d], parameters: count(layer + "mlp.fc2"), flops: cost.fc2),
            WalkthroughStep(step: "layer: x + ls2 ⊙ mlp", shape: [1, n, d], parameters: count(layer + "ls2"), flops: 0),
            WalkthroughStep(step: "one encoder layer (total)", shape: [1, n, d], parameters: count(layer), flops: cost.perLayer),
            WalkthroughStep(step: "× \(c.numHiddenLayers) layers → last_hidden_state", shape: [1, n, d],
                            parameters: count("encoder."), flops: cost.perLayer * Double(c.numHiddenLayers)),
            WalkthroughStep(step: "pooler_output = last_hidden_state[:, 0]", shape: [1, d], parameters: 0, flops: 0),
            WalkthroughStep(step: "whole model", shape: [1, n, d], parameters: parameterCount, flops: cost.total),
        ]
        return steps
    }
}
