import Foundation
import NN
import Tensor

/// The hyper-parameters of an InternViT model, as the reference `InternVisionConfig`
/// (configuration_intern_vit.py) defines them.
///
/// A key absent from `config.json` takes the reference class's default, and those
/// defaults are the 6B model's (`norm_type` "rms_norm", `qk_normalization` true, `qkv_bias`
/// false, hidden 3200, …): the real InternViT-6B configs have no `norm_type` key and get
/// RMSNorm only through that default.
public struct InternVisionConfig: Sendable, Equatable {
    /// How the encoder layers normalise (NN's shared `NormType`).
    public typealias NormType = NN.NormType

    public var hiddenSize = 3200
    public var intermediateSize = 12800
    public var numAttentionHeads = 25
    public var numHiddenLayers = 48
    public var patchSize = 14
    public var imageSize = 224
    public var numChannels = 3
    public var qkvBias = false
    public var qkNormalization = true
    public var normType = NormType.rmsNorm
    public var layerNormEps: Float = 1e-6
    /// `hidden_act`: exact GELU (what every InternViT uses) or the tanh approximation
    /// (`gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`).
    public var hiddenAct = Activation.gelu
    public var initializerFactor: Float = 0.1
    public var initializerRange: Float = 0.02
    public var dropPathRate: Float = 0
    public var useFlashAttn = true

    public init() {}

    /// InternViT-300M-448px (the model card's configuration).
    public static var internViT300M: InternVisionConfig {
        var c = InternVisionConfig()
        c.hiddenSize = 1024; c.intermediateSize = 4096; c.numAttentionHeads = 16; c.numHiddenLayers = 24
        c.imageSize = 448; c.qkvBias = true; c.qkNormalization = false; c.normType = .layerNorm
        c.initializerFactor = 1.0; c.dropPathRate = 0.1
        return c
    }

    /// Width of one attention head.
    public var headDim: Int { hiddenSize / numAttentionHeads }
    /// Patches per side of the stored position grid (32 for 448 / 14).
    public var gridSize: Int { imageSize / patchSize }
    /// Whether the MLP's GELU is the tanh approximation.
    public var usesTanhGELU: Bool { hiddenAct == .geluTanh }

    /// Reads `config.json` from a model directory (or the file itself).
    public init(contentsOf url: URL) throws {
        let file = url.hasDirectoryPath || !url.lastPathComponent.hasSuffix(".json") ? url.appendingPathComponent("config.json") : url
        try self.init(reader: try ConfigReader(contentsOf: file))
    }

    /// Parses config JSON: an InternViT config, an InternVL chat config (the vision part is
    /// under `vision_config`), or a transformers InternVL config (`model_type` "internvl",
    /// vision part of type "internvl_vision" with its own key names).
    public init(json data: Data, file: String = "config.json") throws {
        try self.init(reader: try ConfigReader(json: data, file: file))
    }

    /// Reads the configuration from a parsed config file (the vision part of a chat
    /// config is its `vision_config` object).
    public init(reader root: ConfigReader) throws {
        let reader = try root.child("vision_config") ?? root
        self.init()
        if try reader.string("model_type") == "internvl_vision" {
            try readTransformersSpelling(reader)
        } else {
            try readOriginalSpelling(reader)
        }
        try validate(file: reader.file)
    }

    /// Keys both spellings share, with the same meaning.
    private mutating func readSharedKeys(_ r: ConfigReader) throws {
        hiddenSize = try r.int("hidden_size") ?? hiddenSize
        intermediateSize = try r.int("intermediate_size") ?? intermediateSize
        numAttentionHeads = try r.int("num_attention_heads") ?? numAttentionHeads
        numHiddenLayers = try r.int("num_hidden_layers") ?? numHiddenLayers
        numChannels = try r.int("num_channels") ?? numChannels
        normType = try r.normType() ?? normType
        layerNormEps = try r.positiveFloat("layer_norm_eps") ?? layerNormEps
        hiddenAct = try r.activation("hidden_act") ?? hiddenAct
        initializerRange = try r.float("initializer_range") ?? initializerRange
    }

    private mutating func readOriginalSpelling(_ r: ConfigReader) throws {
        try readSharedKeys(r)
        patchSize = try r.int("patch_size") ?? patchSize
        imageSize = try r.int("image_size") ?? imageSize
        qkvBias = try r.bool("qkv_bias") ?? qkvBias
        qkNormalization = try r.bool("qk_normalization") ?? qkNormalization
        initializerFactor = try r.float("initializer_factor") ?? initializerFactor
        dropPathRate = try r.float("drop_path_rate") ?? dropPathRate
        useFlashAttn = try r.bool("use_flash_attn") ?? useFlashAttn
    }

    /// transformers' `InternVLVisionConfig` (whose defaults are the 300M model's; sizes may
    /// be written as `[n, n]`, and q/k/v bias, q/k norm and layer scale have other names).
    private mutating func readTransformersSpelling(_ r: ConfigReader) throws {
        self = .internViT300M
        try readSharedKeys(r)
        patchSize = try r.squareInt("patch_size") ?? patchSize
        imageSize = try r.squareInt("image_size") ?? imageSize
        qkvBias = try r.bool("attention_bias") ?? false
        qkNormalization = try r.bool("use_qk_norm") ?? false
        initializerFactor = try r.float("layer_scale_init_value") ?? initializerFactor
    }

    /// Bounds on the sizes, derived from what can run: every released InternViT is far
    /// inside them (the 6B model: width 3200, 48 layers, 448-pixel tiles), and a value
    /// past them would ask for terabytes before any weight is read.
    public enum Limits {
        /// Widest `hidden_size` (and so head count).
        public static let maximumHiddenSize = 1 << 16
        /// Widest `intermediate_size`.
        public static let maximumIntermediateSize = 1 << 18
        /// Most `num_hidden_layers`.
        public static let maximumLayers = 1024
        /// Largest `image_size`: one tile must stay under the image pixel cap
        /// (`DecodeLimits().maximumPixels`, 178,956,970 = 13377²).
        public static let maximumImageSize = 13_377
    }

    /// Rejects values the model cannot run with (each bound is named in the message).
    public func validate(file: String = "config.json") throws {
        func check(_ key: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw ConfigError(file: file, key: key, "\(value) is outside the supported range \(range.lowerBound)...\(range.upperBound)")
            }
        }
        try check("hidden_size", hiddenSize, 1...Limits.maximumHiddenSize)
        try check("intermediate_size", intermediateSize, 1...Limits.maximumIntermediateSize)
        try check("num_attention_heads", numAttentionHeads, 1...hiddenSize)
        try check("num_hidden_layers", numHiddenLayers, 1...Limits.maximumLayers)
        try check("image_size", imageSize, 1...Limits.maximumImageSize)
        try check("patch_size", patchSize, 1...imageSize)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ConfigError(file: file, key: "hidden_size",
                              "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        guard imageSize % patchSize == 0 else {
            throw ConfigError(file: file, key: "image_size", "\(imageSize) is not a multiple of patch_size \(patchSize)")
        }
        guard numChannels == 3 else {
            throw ConfigError(file: file, key: "num_channels", "InternViT's patch embedding takes 3 channels, got \(numChannels)")
        }
        guard hiddenAct == .gelu || hiddenAct == .geluTanh else {
            throw ConfigError(file: file, key: "hidden_act",
                              "unsupported activation \"\(hiddenAct.configName)\" (supported: gelu, gelu_new, gelu_pytorch_tanh)")
        }
        guard layerNormEps > 0 && layerNormEps.isFinite else {
            throw ConfigError(file: file, key: "layer_norm_eps", "must be a positive number, got \(layerNormEps)")
        }
    }

    /// The number of parameters (elements, not bytes) a model of this configuration
    /// holds, computed without building it: the loader compares it with the checkpoint
    /// before allocating anything proportional to it. Exact for a validated config (the
    /// bounds keep it far below `Int.max`).
    public var parameterCount: Int {
        let d = hiddenSize, f = intermediateSize, p = patchSize, g = gridSize
        let norm = normType == .layerNorm ? 2 * d : d                         // weight (+ bias)
        let attention = 3 * d * d + (qkvBias ? 3 * d : 0) + d * d + d         // qkv, proj
            + (qkNormalization ? 2 * d : 0)                                   // q_norm, k_norm
        let mlp = d * f + f + f * d + d                                       // fc1, fc2
        let layer = 2 * norm + attention + mlp + 2 * d                        // + ls1, ls2
        let embeddings = d + (d * numChannels * p * p + d) + (1 + g * g) * d  // class, patch conv, positions
        return embeddings + numHiddenLayers * layer
    }
}
