import Foundation
import Imaging
import InternViT
import NN
import Tensor
import Testing
import TestScratch

/// A copy of a fixture checkpoint directory with `config.json` and
/// `preprocessor_config.json` keys replaced, for crafted-config tests.
func craftedModelDirectory(from fixture: String = "internvit-tiny300m", config: [String: String] = [:],
                           preprocessor: [String: String] = [:]) throws -> URL {
    let source = InternViTFixtures.checkpoint(fixture)
    let folder = try ScratchFolder.make("internvit-crafted")
    for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
    func patch(_ name: String, _ values: [String: String]) throws {
        guard !values.isEmpty else { return }
        let url = folder.appendingPathComponent(name)
        var pairs = try #require(try JSONValue.parse(Data(contentsOf: url)).objectPairs)
        for (key, text) in values {
            let value = try JSONValue.parse(text)
            if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
        }
        func render(_ v: JSONValue) -> String {
            switch v {
            case .null: return "null"
            case .bool(let b): return "\(b)"
            case .integer(let i): return "\(i)"
            case .double(let d): return "\(d)"
            case .string(let s): return JSONValue.quoted(s)
            case .array(let a): return "[" + a.map(render).joined(separator: ", ") + "]"
            case .object(let o): return "{" + o.map { JSONValue.quoted($0.0) + ": " + render($0.1) }.joined(separator: ", ") + "}"
            }
        }
        try Data(render(.object(pairs)).utf8).write(to: url)
    }
    try patch("config.json", config)
    try patch("preprocessor_config.json", preprocessor)
    return folder
}

/// Config values that once trapped or ran away (issue #12): each is now a short
/// `ConfigError` naming the key, raised before anything proportional to it is allocated.
@Suite struct HostileConfigTests {
    @Test(arguments: [
        (#"{"num_hidden_layers": 1000000}"#, "num_hidden_layers"),
        (#"{"hidden_size": 1099511627776, "num_attention_heads": 1}"#, "hidden_size"),
        (#"{"intermediate_size": 1073741824}"#, "intermediate_size"),
        (#"{"num_attention_heads": 4096, "hidden_size": 64}"#, "num_attention_heads"),
        (#"{"image_size": 1048576, "patch_size": 14}"#, "image_size"),
        (#"{"patch_size": 0}"#, "patch_size"),
        (#"{"patch_size": 500, "image_size": 448}"#, "patch_size"),
        (#"{"hidden_act": "gelu_new", "layer_norm_eps": "1e-6"}"#, "layer_norm_eps"),
        (#"{"hidden_act": ["gelu"]}"#, "hidden_act"),
        (#"{"hidden_act": "silu"}"#, "hidden_act"),
        (#"{"layer_norm_eps": -1}"#, "layer_norm_eps"),
        (#"{"layer_norm_eps": 1e300}"#, "layer_norm_eps"),
        (#"{"use_flash_attn": "yes"}"#, "use_flash_attn"),
        (#"{"vision_config": [1]}"#, "vision_config"),
    ])
    func absurdSizesAndWrongTypesAreNamed(_ json: String, _ key: String) {
        #expect { try InternVisionConfig(json: Data(json.utf8)) } throws: { error in
            (error as? ConfigError)?.key == key && "\(error)".split(separator: "\n").count == 1 && "\(error)".count < 300
        }
    }

    /// `parameterCount` is computed from the config alone and equals the built model's.
    @Test(arguments: ["internvit-tiny300m", "internvit-tiny6b", "internvl-chat-tiny", "internvit-tiny300m-hf"])
    func parameterCountMatchesTheModel(_ fixture: String) throws {
        let config = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint(fixture))
        #expect(config.parameterCount == InternVisionModel(config: config).parameterCount)
        #expect(InternVisionConfig.internViT300M.parameterCount == 304_012_288)
    }

    /// A config asking for more layers than the checkpoint holds, or far more parameters,
    /// fails before the model is built: short message, no per-key listing.
    @Test func configLargerThanTheCheckpointFailsBeforeBuilding() throws {
        let directory = try craftedModelDirectory(config: ["num_hidden_layers": "1000"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try InternViTCheckpoint.load(directory) } throws: { error in
            (error as? ConfigError)?.key == "num_hidden_layers" && "\(error)".contains("holds 2") && "\(error)".split(separator: "\n").count == 1
        }
        // A config whose positions table is too large (image_size) fails the same way.
        let wide = try craftedModelDirectory(config: ["image_size": "8400"])
        defer { try? FileManager.default.removeItem(at: wide) }
        #expect { try InternViTCheckpoint.load(wide) } throws: { error in
            error is ConfigError && "\(error)".contains("parameters") && "\(error)".split(separator: "\n").count == 1
        }
    }

    /// Whatever the mismatch, a load error stays a few lines (it listed every key).
    @Test func loadErrorsListAFewKeys() throws {
        let directory = try craftedModelDirectory(config: ["hidden_size": "32", "num_attention_heads": "4", "intermediate_size": "128"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try InternViTCheckpoint.load(directory) } throws: { error in
            "\(error)".split(separator: "\n").count <= 8 && "\(error)".contains("more)")
        }
    }

    /// Preprocessing settings the model cannot run are refused before any image is read.
    @Test func preprocessingIsCheckedAgainstTheModel() throws {
        let config = try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvit-tiny300m"))
        var small = CLIPImageProcessorConfig.internViT
        small.cropHeight = 10; small.cropWidth = 10
        #expect { try InternViTPreprocessing.clip(CLIPImageProcessor(config: small)).validate(for: config) } throws: { error in
            (error as? ConfigError)?.key == "crop_size" && "\(error)".contains("patch")
        }
        var huge = CLIPImageProcessorConfig.internViT
        huge.cropHeight = 10000; huge.cropWidth = 10000
        #expect { try InternViTPreprocessing.clip(CLIPImageProcessor(config: huge)).validate(for: config) } throws: { error in
            (error as? ConfigError)?.key == "crop_size" && "\(error)".contains("tokens")
        }
        #expect(throws: Never.self) { try InternViTPreprocessing.clip(CLIPImageProcessor(config: .internViT)).validate(for: config) }
        // Dynamic tiling with a hostile tile size asks for the whole grid up front.
        var tileConfig = config
        tileConfig.imageSize = 13370; tileConfig.patchSize = 14
        #expect(throws: (any Error).self) {
            try InternViTPreprocessing.dynamic(DynamicTiling(tileSize: 13370, maxTiles: 12)).validate(for: tileConfig)
        }
        #expect(throws: ImageError.self) { try DynamicTiling(tileSize: 1 << 20, maxTiles: 12).validate() }
        #expect(throws: ImageError.self) { try DynamicTiling(tileSize: 4000, maxTiles: 12).tiles(RGBImage(width: 40, height: 30)) }
    }

    @Test func modelInputIsValidated() throws {
        let model = InternVisionModel(config: try InternVisionConfig(contentsOf: InternViTFixtures.checkpoint("internvit-tiny300m")))
        #expect(throws: Never.self) { try model.validateInput(shape: [2, 3, 56, 56]) }
        for shape in [[1, 3, 10, 56], [1, 4, 56, 56], [3, 56, 56], [1, 3, 14, 14 * 70_000], [0, 3, 56, 56]] {
            #expect(throws: ConfigError.self, "\(shape)") { try model.validateInput(shape: shape) }
        }
    }
}

/// The reference-forward manifest and the model tests agree: each (checkpoint, case)
/// pair the fixture script wrote is run by `matchesReferenceAtEveryResolution`.
@Suite struct InternViTFixtureCoverageTests {
    @Test func everyManifestCaseIsTested() throws {
        let url = InternViTFixtures.root.appendingPathComponent("cases/manifest.json")
        let entries = try #require(try JSONValue.parse(Data(contentsOf: url)).arrayValue)
        let manifest = try entries.map { "\(try #require($0["checkpoint"]?.stringValue))_\(try #require($0["case"]?.stringValue))" }
        let tested = InternVisionModelTests.flavours.flatMap { c in InternViTFixtures.cases.map { "\(c)_\($0)" } }
        #expect(manifest.sorted() == tested.sorted())
        #expect(manifest.count == 8)
        for key in manifest {
            for part in ["pixels", "last_hidden_state", "pooler_output", "mean_pooled", "hidden_states"] {
                #expect(FileManager.default.isReadableFile(atPath: InternViTFixtures.root.appendingPathComponent("cases/\(key)_\(part).npy").path), "\(key)_\(part)")
            }
        }
    }
}
