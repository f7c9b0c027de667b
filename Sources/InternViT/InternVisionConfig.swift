import Foundation
import Tensor

/// A problem with a model directory's configuration: names the file, the key and what
/// is wrong.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let key: String?
    public let message: String

    public init(file: String, key: String? = nil, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.map { "\(file): \"\($0)\": \(message)" } ?? "\(file): \(message)"
    }
}

/// The hyper-parameters of an InternViT model, as the reference `InternVisionConfig`
/// (configuration_intern_vit.py) defines them.
///
/// A key absent from `config.json` takes the reference class's default, and those
/// defaults are the 6B model's (`norm_type` "rms_norm", `qk_normalization` true, `qkv_bias`
/// false, hidden 3200, …): the real InternViT-6B configs have no `norm_type` key and get
/// RMSNorm only through that default.
public struct InternVisionConfig: Sendable, Equatable {
    /// How the encoder layers normalise.
    public enum NormType: String, Sendable { case layerNorm = "layer_norm", rmsNorm = "rms_norm" }

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
    /// "gelu" (exact erf form, what every InternViT uses) or a tanh-approximate spelling.
    public var hiddenAct = "gelu"
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
    public var usesTanhGELU: Bool { hiddenAct != "gelu" }

    static let tanhGELUNames: Set<String> = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"]

    /// Reads `config.json` from a model directory (or the file itself).
    public init(contentsOf url: URL) throws {
        let file = url.hasDirectoryPath || !url.lastPathComponent.hasSuffix(".json") ? url.appendingPathComponent("config.json") : url
        let data: Data
        do { data = Data(try InputFile.read(file.path, maximumBytes: InputFile.maximumJSONBytes, what: "limit for a config")) }
        catch let error as FileError { throw ConfigError(file: file.path, error.message) }
        try self.init(json: data, file: file.path)
    }

    /// Parses config JSON: an InternViT config, an InternVL chat config (the vision part is
    /// under `vision_config`), or a transformers InternVL config (`model_type` "internvl",
    /// vision part of type "internvl_vision" with its own key names).
    public init(json data: Data, file: String = "config.json") throws {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw ConfigError(file: file, "\(error)") }
        guard root.objectPairs != nil else { throw ConfigError(file: file, "not a JSON object") }
        let vision = root["vision_config"] ?? root
        guard vision.objectPairs != nil else { throw ConfigError(file: file, key: "vision_config", "not an object") }
        self.init()
        var reader = ConfigReader(object: vision, file: file)
        if vision["model_type"]?.stringValue == "internvl_vision" {
            try readTransformersSpelling(&reader)
        } else {
            try readOriginalSpelling(&reader)
        }
        try validate(file: file)
    }

    /// Keys both spellings share, with the same meaning.
    private mutating func readSharedKeys(_ r: inout ConfigReader) throws {
        hiddenSize = try r.int("hidden_size") ?? hiddenSize
        intermediateSize = try r.int("intermediate_size") ?? intermediateSize
        numAttentionHeads = try r.int("num_attention_heads") ?? numAttentionHeads
        numHiddenLayers = try r.int("num_hidden_layers") ?? numHiddenLayers
        numChannels = try r.int("num_channels") ?? numChannels
        normType = try r.normType() ?? normType
        layerNormEps = try r.float("layer_norm_eps") ?? layerNormEps
        hiddenAct = try r.string("hidden_act") ?? hiddenAct
        initializerRange = try r.float("initializer_range") ?? initializerRange
    }

    private mutating func readOriginalSpelling(_ r: inout ConfigReader) throws {
        try readSharedKeys(&r)
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
    private mutating func readTransformersSpelling(_ r: inout ConfigReader) throws {
        self = .internViT300M
        try readSharedKeys(&r)
        patchSize = try r.squareInt("patch_size") ?? patchSize
        imageSize = try r.squareInt("image_size") ?? imageSize
        qkvBias = try r.bool("attention_bias") ?? false
        qkNormalization = try r.bool("use_qk_norm") ?? false
        initializerFactor = try r.float("layer_scale_init_value") ?? initializerFactor
    }

    /// Rejects values the model cannot run with.
    public func validate(file: String = "config.json") throws {
        for (key, value) in [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                             ("num_attention_heads", numAttentionHeads), ("num_hidden_layers", numHiddenLayers),
                             ("patch_size", patchSize), ("image_size", imageSize)] where value <= 0 || value > 1 << 20 {
            throw ConfigError(file: file, key: key, "must be a positive size, got \(value)")
        }
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
        guard hiddenAct == "gelu" || Self.tanhGELUNames.contains(hiddenAct) else {
            throw ConfigError(file: file, key: "hidden_act", "unsupported activation \"\(hiddenAct)\" (supported: gelu, gelu_new, gelu_pytorch_tanh)")
        }
        guard layerNormEps > 0 && layerNormEps.isFinite else {
            throw ConfigError(file: file, key: "layer_norm_eps", "must be a positive number, got \(layerNormEps)")
        }
    }
}

/// Typed access to config keys: a present key of the wrong type is an error naming it.
struct ConfigReader {
    let object: JSONValue
    let file: String

    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.intValue else { throw ConfigError(file: file, key: key, "expected an integer, got \(v)") }
        return i
    }

    /// An integer, or a list of two equal integers (transformers writes `[448, 448]`).
    func squareInt(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        if let i = v.intValue { return i }
        if let list = v.arrayValue, list.count == 2, let a = list[0].intValue, let b = list[1].intValue {
            guard a == b else { throw ConfigError(file: file, key: key, "non-square \(a) x \(b) is not supported") }
            return a
        }
        throw ConfigError(file: file, key: key, "expected an integer or [n, n], got \(v)")
    }

    func float(_ key: String) throws -> Float? {
        guard let v = value(key) else { return nil }
        guard let d = v.doubleValue else { throw ConfigError(file: file, key: key, "expected a number, got \(v)") }
        return Float(d)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw ConfigError(file: file, key: key, "expected true or false, got \(v)") }
        return b
    }

    /// `norm_type`: "layer_norm" or "rms_norm".
    func normType() throws -> InternVisionConfig.NormType? {
        guard let text = try string("norm_type") else { return nil }
        guard let type = InternVisionConfig.NormType(rawValue: text) else {
            throw ConfigError(file: file, key: "norm_type", "unsupported value \"\(text)\" (expected layer_norm or rms_norm)")
        }
        return type
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { throw ConfigError(file: file, key: key, "expected a string, got \(v)") }
        return s
    }
}
