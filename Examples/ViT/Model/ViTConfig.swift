import Foundation
import NN
import Tensor

/// The configuration of a Hugging Face `ViTModel` / `ViTForImageClassification`
/// (`google/vit-base-patch16-224` style `config.json`), read through NN's `ConfigReader`:
/// a key of the wrong JSON type or outside its range is a `ConfigError` naming it.
public struct ViTConfig: Sendable {
    public var hiddenSize = 768
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var intermediateSize = 3072
    public var imageSize = 224
    public var patchSize = 16
    public var numChannels = 3
    public var layerNormEps: Float = 1e-12
    public var qkvBias = true
    /// `hidden_act`, applied after `intermediate.dense` (`gelu`, or the tanh form for
    /// `gelu_new` / `gelu_pytorch_tanh`).
    public var hiddenAct = Activation.gelu
    /// Class names by index (`id2label`), empty for a headless `ViTModel`.
    public var labels: [String] = []

    public init() {}

    /// Reads `config.json`.
    public init(contentsOf url: URL) throws {
        try self.init(reader: try ConfigReader(contentsOf: url))
    }

    /// Reads a parsed `config.json`.
    public init(reader r: ConfigReader) throws {
        hiddenSize = try r.int("hidden_size", in: 1...(1 << 16)) ?? hiddenSize
        numHiddenLayers = try r.int("num_hidden_layers", in: 1...1024) ?? numHiddenLayers
        numAttentionHeads = try r.int("num_attention_heads", in: 1...hiddenSize) ?? numAttentionHeads
        intermediateSize = try r.int("intermediate_size", in: 1...(1 << 18)) ?? intermediateSize
        imageSize = try r.squareInt("image_size", in: 1...13_377) ?? imageSize
        patchSize = try r.squareInt("patch_size", in: 1...imageSize) ?? patchSize
        numChannels = try r.int("num_channels", in: 1...4) ?? numChannels
        layerNormEps = try r.positiveFloat("layer_norm_eps") ?? layerNormEps
        qkvBias = try r.bool("qkv_bias") ?? qkvBias
        hiddenAct = try r.activation("hidden_act") ?? hiddenAct
        if let map = try r.child("id2label") {
            let pairs = map.object.objectPairs ?? []
            var labels = [String](repeating: "", count: pairs.count)
            for (key, value) in pairs {
                guard let index = Int(key), index >= 0, index < pairs.count, let name = value.stringValue else {
                    throw r.error("id2label", "must map 0..<n to names")
                }
                labels[index] = name
            }
            self.labels = labels
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw r.error("hidden_size", "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard imageSize % patchSize == 0 else {
            throw r.error("image_size", "\(imageSize) is not a multiple of patch_size \(patchSize)")
        }
    }
}

/// A problem with a ViT model directory.
public struct ViTError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
