import Foundation
import Imaging
import InternViT
import NN
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct InternVisionConfigTests {
    /// The official InternViT-300M-448px config.json, verbatim.
    static let official300M = """
        {
          "architectures": ["InternVisionModel"],
          "auto_map": {"AutoConfig": "configuration_intern_vit.InternVisionConfig",
                       "AutoModel": "modeling_intern_vit.InternVisionModel"},
          "attention_dropout": 0.0, "drop_path_rate": 0.1, "dropout": 0.0, "hidden_act": "gelu",
          "hidden_size": 1024, "image_size": 448, "initializer_factor": 1.0, "initializer_range": 0.02,
          "intermediate_size": 4096, "layer_norm_eps": 1e-06, "model_type": "intern_vit_6b",
          "norm_type": "layer_norm", "num_attention_heads": 16, "num_channels": 3, "num_hidden_layers": 24,
          "patch_size": 14, "qk_normalization": false, "qkv_bias": true, "torch_dtype": "bfloat16",
          "transformers_version": "4.37.2", "use_flash_attn": true
        }
        """

    @Test func readsTheOfficial300MConfig() throws {
        let config = try InternVisionConfig(json: Data(Self.official300M.utf8))
        #expect(config == .internViT300M)
        #expect(config.headDim == 64 && config.gridSize == 32)
        #expect(config.layerNormEps == 1e-6)
    }

    /// Absent keys take the reference class's defaults, which are the 6B model's.
    @Test func absentKeysTakeThe6BDefaults() throws {
        let config = try InternVisionConfig(json: Data(#"{"hidden_size": 3200, "num_hidden_layers": 45, "image_size": 448}"#.utf8))
        #expect(config.normType == .rmsNorm)
        #expect(config.qkNormalization && !config.qkvBias)
        #expect(config.numAttentionHeads == 25 && config.intermediateSize == 12800 && config.headDim == 128)
        #expect(config.initializerFactor == 0.1)
        let tiny6B = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvit-tiny6b"))
        #expect(tiny6B.normType == .rmsNorm, "the fixture omits norm_type, like the real 6B configs")
    }

    @Test func readsNestedAndTransformersConfigs() throws {
        let chat = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvl-chat-tiny"))
        let plain = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvit-tiny300m"))
        #expect(chat == plain)
        let hf = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvit-tiny300m-hf"))
        #expect(hf.hiddenSize == 64 && hf.numHiddenLayers == 2 && hf.numAttentionHeads == 4 && hf.imageSize == 56)
        #expect(hf.qkvBias && !hf.qkNormalization && hf.normType == .layerNorm)
    }

    @Test(arguments: [
        (#"{"hidden_size": 1000, "num_attention_heads": 16}"#, "hidden_size"),
        (#"{"hidden_act": "relu"}"#, "hidden_act"),
        (#"{"norm_type": "batch_norm"}"#, "norm_type"),
        (#"{"hidden_size": "1024"}"#, "hidden_size"),
        (#"{"qkv_bias": 1}"#, "qkv_bias"),
        (#"{"image_size": 450}"#, "image_size"),
        (#"{"num_channels": 4}"#, "num_channels"),
        (#"{"num_hidden_layers": -1}"#, "num_hidden_layers"),
        (#"{"layer_norm_eps": 0}"#, "layer_norm_eps"),
        (#"{"vision_config": 3}"#, "vision_config"),
    ])
    func inconsistentValuesAreNamed(_ json: String, _ key: String) {
        #expect { try InternVisionConfig(json: Data(json.utf8), file: "config.json") } throws: { error in
            (error as? ConfigError)?.key == key && "\(error)".hasPrefix("config.json: \"\(key)\"")
        }
    }

    @Test func malformedJSONIsAnError() {
        #expect(throws: ConfigError.self) { try InternVisionConfig(json: Data(#"{"hidden_size": 10"#.utf8)) }
        #expect(throws: ConfigError.self) { try InternVisionConfig(json: Data("[]".utf8)) }
        #expect(throws: ConfigError.self) { try InternVisionConfig(contentsOf: URL(fileURLWithPath: "/nonexistent/config.json")) }
    }

    /// Parameter and FLOP counts come from the configuration (reference: 304,012,288
    /// parameters in the released checkpoint; 723.59 GFLOP per 448² tile).
    /// InternViT-6B-448px-V1-5 (hidden 3200, 45 layers, 25 heads, MLP 12800, RMSNorm, q/k
    /// norm, no qkv bias): ≈5.54 B parameters and 11.94 TFLOP per 448² tile (reference notes).
    @Test func costsOfThe6BModel() throws {
        let config = try InternVisionConfig(json: Data(#"{"hidden_size": 3200, "num_hidden_layers": 45, "image_size": 448}"#.utf8))
        let model = InternVisionModel(config: config)
        #expect(abs(Double(model.parameterCount) / 1e9 - 5.54) < 0.01)
        #expect(abs(config.computeCost().total / 1e12 - 11.94) < 0.01)
        #expect(model.namedParameters().contains { $0.path == "encoder.layers.44.attn.q_norm.weight" })
        #expect(!model.namedParameters().contains { $0.path == "encoder.layers.0.attn.qkv.bias" || $0.path == "encoder.layers.0.norm1.bias" })
    }

    @Test func costsOfThe300MModel() {
        let config = InternVisionConfig.internViT300M
        #expect(InternVisionModel(config: config).parameterCount == 304_012_288)
        let cost = config.computeCost()
        #expect(cost.tokens == 1025)
        #expect(abs(cost.total / 1e9 - 723.59) < 0.01)
        #expect(abs(cost.perLayer / 1e9 - 30.098) < 0.001)
        #expect(abs(config.computeCost(height: 224, width: 224).total / 1e9 - 162.0) < 0.1)
    }

    /// A FIFO named config.json is refused at once, naming the file (it used to block).
    @Test func aFIFOConfigIsRefusedWithoutBlocking() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.json")
        #expect(mkfifo(file.path, 0o600) == 0)
        #expect { try InternVisionConfig(contentsOf: folder) } throws: {
            "\($0)".contains("config.json") && "\($0)".contains("is a FIFO (named pipe), not a regular file")
        }
    }

    /// Without preprocessor_config.json the CLIP settings take the model's image size.
    @Test func missingPreprocessorConfigUsesTheGivenImageSize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        guard case .clip(let processor) = try InternViTPreprocessing.clip(directory: folder, imageSize: 56) else {
            Issue.record("expected CLIP preprocessing"); return
        }
        #expect(processor.config.cropHeight == 56 && processor.config.cropWidth == 56)
        #expect(processor.config.size == .shortestEdge(56))
    }
}
