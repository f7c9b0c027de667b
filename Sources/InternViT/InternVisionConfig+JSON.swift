import Foundation
import Tensor

extension InternVisionConfig {
    /// `config.json` in the layout of the released InternViT checkpoints
    /// (`OpenGVLab/InternViT-300M-448px`: `architectures`, `model_type` "intern_vit_6b",
    /// the reference `InternVisionConfig` keys), so a model trained here is read by
    /// `init(contentsOf:)` — and by the reference code — like a downloaded one.
    public func jsonData() -> Data {
        func number(_ value: Float) -> String { value == value.rounded() && Swift.abs(value) < 1e6 ? String(format: "%.1f", value) : "\(value)" }
        let fields: [(String, String)] = [
            ("architectures", "[\"InternVisionModel\"]"),
            ("attention_dropout", "0.0"),
            ("drop_path_rate", number(dropPathRate)),
            ("dropout", "0.0"),
            ("hidden_act", "\"\(hiddenAct.configName)\""),
            ("hidden_size", "\(hiddenSize)"),
            ("image_size", "\(imageSize)"),
            ("initializer_factor", number(initializerFactor)),
            ("initializer_range", number(initializerRange)),
            ("intermediate_size", "\(intermediateSize)"),
            ("layer_norm_eps", "\(layerNormEps)"),
            ("model_type", "\"intern_vit_6b\""),
            ("norm_type", "\"\(normType.rawValue)\""),
            ("num_attention_heads", "\(numAttentionHeads)"),
            ("num_channels", "\(numChannels)"),
            ("num_hidden_layers", "\(numHiddenLayers)"),
            ("patch_size", "\(patchSize)"),
            ("qk_normalization", qkNormalization ? "true" : "false"),
            ("qkv_bias", qkvBias ? "true" : "false"),
            ("torch_dtype", "\"float32\""),
            ("use_flash_attn", useFlashAttn ? "true" : "false"),
        ]
        return Data(("{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n").utf8)
    }

    /// Writes `jsonData()` to `url` through `OutputFile` (the old file survives any failure).
    /// - Throws: `FileError` naming the path.
    public func write(to url: URL) throws { try OutputFile.write(jsonData(), to: url) }
}
