import Foundation
import NN
import Tensor

/// Loading an InternViT model from a Hugging Face model directory, unchanged.
///
/// Accepted layouts (all detected from the tensor names):
/// - an InternViT checkpoint (`OpenGVLab/InternViT-300M-448px`, `…-6B-448px-V1-5`):
///   `model.safetensors` or sharded `model.safetensors.index.json`, original key names;
/// - an InternVL chat checkpoint: the same names under `vision_model.`, the vision config
///   under `vision_config` (the language model's tensors are left alone);
/// - transformers' "-hf" conversion (`InternVL3-*-hf`): `vision_tower.` /
///   `model.vision_tower.` keys in its own spelling, translated at load time.
public enum InternViTCheckpoint {
    /// How the weights were found.
    public enum Layout: Equatable, Sendable {
        /// Original names under `prefix` ("" or "vision_model").
        case original(prefix: String)
        /// transformers names under `prefix` (e.g. "vision_tower.").
        case transformers(prefix: String)
    }

    /// Finds where the vision weights are in `source`.
    /// - Throws: `ConfigError` naming the keys that were looked for.
    public static func detectLayout(_ source: any TensorSource) throws -> Layout {
        let names = Set(source.tensorNames)
        for prefix in ["", "vision_model."] where names.contains(prefix + "embeddings.class_embedding") {
            return .original(prefix: String(prefix.dropLast()))
        }
        for prefix in ["", "vision_tower.", "model.vision_tower."] where names.contains(prefix + "embeddings.cls_token") {
            return .transformers(prefix: prefix)
        }
        throw ConfigError(file: source.sourceDescription,
                          "no InternViT weights found (looked for embeddings.class_embedding, "
                          + "vision_model.embeddings.class_embedding and the transformers spelling embeddings.cls_token)")
    }

    /// Loads the model in `directory`: config from `config.json`, weights strictly (every
    /// key of the vision model accounted for, no stray keys under its prefix).
    /// - Parameter precision: `.asStored` keeps bf16 weights resident as bf16 (fp32
    ///   compute); `.float32` widens them on load.
    /// - Parameter memoryMapped: true (the default) maps the safetensors files: no load
    ///   time or memory for weights kept as stored, but if another process truncates a
    ///   file while the model is in use, the process dies with SIGBUS (as with llama.cpp's
    ///   mmap). false reads the files into memory instead.
    /// - Throws: `ConfigError`, `TensorIOError`, `FileError` or `ModuleLoadError`, each
    ///   naming the file and the problem.
    public static func load(_ directory: URL, precision: WeightPrecision = .asStored,
                            memoryMapped: Bool = true) throws -> InternVisionModel {
        let config = try InternVisionConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let source = try Checkpoint.open(directory, memoryMapped: memoryMapped)
        return try load(config: config, source: source, precision: precision)
    }

    /// Loads weights from `source` into a model built from `config`.
    public static func load(config: InternVisionConfig, source: any TensorSource,
                            precision: WeightPrecision = .asStored) throws -> InternVisionModel {
        let layout = try detectLayout(source)
        let visionSource: any TensorSource, prefix: String
        switch layout {
        case .original(let p): (visionSource, prefix) = (source, p)
        case .transformers(let p): (visionSource, prefix) = (TransformersSpellingSource(source, prefix: p), "")
        }
        try checkParameterCount(config, against: visionSource, prefix: prefix)
        let model = InternVisionModel(config: config)
        try model.load(from: visionSource, prefix: prefix, precision: precision)
        return model
    }

    /// Refuses, before the model is built, a config far larger than the checkpoint under
    /// `prefix`: more layers than it stores, or more than twice its parameters. Building
    /// costs memory per declared layer (a `num_hidden_layers` of a million took 4 GB and
    /// a 500 MB error listing every missing key); this check takes microseconds. Smaller
    /// disagreements (a patch size of 16 against 14-pixel weights) go on to the strict
    /// loader, whose `ModuleLoadError` names each mismatched key.
    static func checkParameterCount(_ config: InternVisionConfig, against source: any TensorSource, prefix: String) throws {
        let scope = prefix.isEmpty ? "" : prefix + "."
        var stored = 0, storedLayers = 0
        for name in source.tensorNames where name.hasPrefix(scope) {
            let path = name.dropFirst(scope.count)
            if path.hasPrefix("encoder.layers."), let index = Int(path.dropFirst("encoder.layers.".count).prefix { $0 != "." }) {
                storedLayers = Swift.max(storedLayers, index + 1)
            }
            guard let shape = source.info(named: name)?.shape else { continue }
            let (count, overflow) = shape.reduce((1, false)) { acc, n in
                let (product, o) = acc.0.multipliedReportingOverflow(by: n)
                return (product, acc.1 || o)
            }
            let (sum, sumOverflow) = stored.addingReportingOverflow(count)
            guard !overflow, !sumOverflow else { return }    // absurd shapes: the strict loader names them
            stored = sum
        }
        let where_ = prefix.isEmpty ? "" : " under \"\(prefix)\""
        guard config.numHiddenLayers <= storedLayers else {
            throw ConfigError(file: "config.json", key: "num_hidden_layers",
                              "\(config.numHiddenLayers) layers, but \(source.sourceDescription) holds \(storedLayers)\(where_): "
                              + "the config does not belong to these weights")
        }
        let expected = config.parameterCount
        guard expected <= 2 * stored else {
            throw ConfigError(file: "config.json",
                              "describes a model of \(expected) parameters (num_hidden_layers \(config.numHiddenLayers), "
                              + "hidden_size \(config.hiddenSize), intermediate_size \(config.intermediateSize), "
                              + "image_size \(config.imageSize)) but "
                              + "\(source.sourceDescription) holds \(stored)\(where_): the config does not belong to these weights")
        }
    }
}
