/// Named configurations.
///
/// | preset | width | layers | heads | MLP | image / patch | tokens | parameters |
/// |---|---:|---:|---:|---:|---|---:|---:|
/// | `internViT300M` | 1024 | 24 | 16 | 4096 | 448 / 14 | 1025 | 304.0 M |
/// | `tiny` | 64 | 2 | 4 | 256 | 224 / 14 | 257 | 0.15 M |
/// | `InternVisionConfig()` | 3200 | 48 | 25 | 12800 | 224 / 14 | 257 | 5.9 B (the reference class's defaults: 6B-224) |
///
/// `InternVisionConfig.internViT300M` (in InternVisionConfig.swift) is the model card's
/// configuration of InternViT-300M-448px.
extension InternVisionConfig {
    /// A model for experiments and debug builds: the 300M model's architecture
    /// (LayerNorm, qkv bias, no q/k norm, exact GELU, patch 14) at width 64 with 2 layers
    /// of 4 heads, on 224-pixel images (16 × 16 patches + the class token = 257 tokens).
    /// With random weights a forward pass takes milliseconds even in a debug build:
    ///
    /// ```swift
    /// let model = InternVisionModel(config: .tiny)
    /// model.initializeRandomly(seed: 0, dtype: .float32)
    /// let tokens = model(Tensor.randomNormal([1, 3, 224, 224], seed: 1))   // [1, 257, 64]
    /// ```
    /// `internvit <command> --model random-tiny` runs the CLI on it.
    public static var tiny: InternVisionConfig {
        var c = InternVisionConfig.internViT300M
        c.hiddenSize = 64; c.intermediateSize = 256; c.numAttentionHeads = 4; c.numHiddenLayers = 2
        c.imageSize = 224
        return c
    }
}
