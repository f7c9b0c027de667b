import Foundation
import Tensor

/// The configuration of a Hugging Face `ViTModel` / `ViTForImageClassification`
/// (`google/vit-base-patch16-224` style `config.json`).
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
    public var hiddenAct = "gelu"
    /// Class names by index (`id2label`), empty for a headless `ViTModel`.
    public var labels: [String] = []

    public init() {}

    /// Reads `config.json`.
    public init(contentsOf url: URL) throws {
        let json = try JSONValue.parse(Data(try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes)))
        func int(_ key: String) throws -> Int? {
            guard let v = json[key], !v.isNull else { return nil }
            guard let i = v.intValue else { throw ViTError("\(url.path): \"\(key)\" must be an integer") }
            return i
        }
        hiddenSize = try int("hidden_size") ?? hiddenSize
        numHiddenLayers = try int("num_hidden_layers") ?? numHiddenLayers
        numAttentionHeads = try int("num_attention_heads") ?? numAttentionHeads
        intermediateSize = try int("intermediate_size") ?? intermediateSize
        imageSize = try int("image_size") ?? imageSize
        patchSize = try int("patch_size") ?? patchSize
        numChannels = try int("num_channels") ?? numChannels
        layerNormEps = json["layer_norm_eps"]?.doubleValue.map { Float($0) } ?? layerNormEps
        qkvBias = json["qkv_bias"]?.boolValue ?? qkvBias
        hiddenAct = json["hidden_act"]?.stringValue ?? hiddenAct
        if let pairs = json["id2label"]?.objectPairs {
            var labels = [String](repeating: "", count: pairs.count)
            for (key, value) in pairs {
                guard let index = Int(key), index >= 0, index < pairs.count, let name = value.stringValue else {
                    throw ViTError("\(url.path): id2label must map 0..<n to names")
                }
                labels[index] = name
            }
            self.labels = labels
        }
        guard hiddenSize % numAttentionHeads == 0, imageSize % patchSize == 0, ["gelu", "gelu_new"].contains(hiddenAct) else {
            throw ViTError("\(url.path): inconsistent configuration (width/heads, image/patch or activation)")
        }
    }
}

/// A problem with a ViT model directory.
public struct ViTError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
