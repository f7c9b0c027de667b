import Autograd
import Foundation
import InternViT
import NN
import Tensor

/// The toy classifier vit-train trains: an `InternVisionModel` at toy size on 8×8 digits
/// (replicated to 3 channels) and a linear head on the class token.
///
/// ```
/// pixel_values [B, 3, 8, 8]
///   vision_model (InternViT: 2×2 patches → 16 tokens + class token, pre-norm layers
///                 with layer scale, no final norm)     → [B, 17, D]
///   class token (pooler_output)                         [B, D]
///   head (Linear D → 10)                               → logits [B, 10]
/// ```
/// Saved as a folder the inference path loads unchanged: `config.json` (the released
/// InternViT layout) and `model.safetensors` (the InternViT keys, e.g.
/// `encoder.layers.0.attn.qkv.weight`) load with `InternViTCheckpoint.load` (and
/// `internvit embed --model DIR`); the head is `head.weight` / `head.bias` in
/// `head.safetensors`, read with `Module.load`.
public final class DigitsClassifier: Module {
    /// The InternViT vision model.
    public let vision: InternVisionModel
    /// The classifier on the class token, `[D] → [10]`.
    public let head: Linear

    /// The number of classes.
    public static let classes = 10

    /// The toy InternViT configuration: 8-pixel images, 2-pixel patches, LayerNorm
    /// (ε 1e-6), qkv bias, no q/k norm, exact GELU, layer scale initialised to
    /// `layerScale`, drop path rising to `dropPath`.
    public static func config(width: Int = 96, depth: Int = 4, heads: Int = 6, mlpRatio: Int = 4,
                              layerScale: Float = 1, dropPath: Float = 0.1) -> InternVisionConfig {
        var c = InternVisionConfig.internViT300M
        c.hiddenSize = width; c.intermediateSize = mlpRatio * width; c.numAttentionHeads = heads
        c.numHiddenLayers = depth; c.imageSize = 8; c.patchSize = 2
        c.initializerFactor = layerScale; c.dropPathRate = dropPath
        return c
    }

    /// A classifier of `config` with declared (not yet initialised) parameters.
    public init(config: InternVisionConfig) {
        vision = InternVisionModel(config: config)
        head = Linear(config.hiddenSize, Self.classes)
    }

    /// `vision_model.*` and `head.*` (the paths the trainer reports).
    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "vision_model", vision)
        visitor.visit(child: "head", head)
    }

    /// Seeded initialisation for training: NN's scheme (trunc-normal 0.02, norms 1/0, biases
    /// 0) with layer scales at the config's `initializer_factor`.
    public func initialize(seed: UInt64) {
        initializeForTraining(seed: seed, scheme: InitializationScheme(standardDeviation: vision.config.initializerRange,
                                                                      layerScale: vision.config.initializerFactor))
    }

    /// Logits `[B, 10]` of `pixels` `[B, 3, 8, 8]` by the inference path (Tensor forward).
    public func logits(_ pixels: Tensor<Float>) -> Tensor<Float> {
        head(vision.forward(pixels).poolerOutput)                                   // [B, D] → [B, 10]
    }

    /// Logits `[B, 10]` on the tape (training, or evaluation with `isTraining` false).
    public func callAsFunction(_ pixels: Variable, _ context: TrainingContext) -> Variable {
        let hidden = vision(pixels, context)                                        // [B, 17, D]
        let classToken = hidden.sliced(axis: 1, 0..<1).reshaped([pixels.shape[0], vision.config.hiddenSize]) // [B, D]
        return head(classToken, context)                                            // [B, 10]
    }

    /// Predicted digits of `data` by the inference path, in row order (batches of 256).
    public func predict(_ data: DigitsData) -> [Int] {
        var predictions: [Int] = []
        for start in stride(from: 0, to: data.count, by: 256) {
            let rows = start..<Swift.min(start + 256, data.count)
            let pixels = Tensor(data.pixelValues(rows), shape: [rows.count, 3, 8, 8]) // [b, 3, 8, 8]
            predictions += logits(pixels).argmax(axis: -1).scalars.map { Int($0) }
        }
        return predictions
    }

    /// Writes `config.json`, `model.safetensors` and `head.safetensors` into `directory`
    /// (created if missing), each through `OutputFile`.
    /// - Throws: `TrainingError` naming the path when the folder or a file cannot be written.
    public func save(to directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw TrainingError("\(directory.path): exists and is not a directory")
        }
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw TrainingError("cannot create the output folder \(directory.path): \(error.localizedDescription)")
        }
        do {
            try vision.config.write(to: directory.appendingPathComponent("config.json"))
            try vision.save(to: directory.appendingPathComponent("model.safetensors"))
            try head.save(to: directory.appendingPathComponent("head.safetensors"), prefix: "head")
        } catch {
            throw TrainingError("cannot write the model to \(directory.path): \(error)")
        }
    }

    /// Loads a folder written by `save` through the inference loaders
    /// (`InternViTCheckpoint.load` for config and vision weights, `Module.load` for the head).
    /// - Throws: `TrainingError` naming the folder and what is wrong.
    public static func load(_ directory: URL) throws -> DigitsClassifier {
        do {
            let vision = try InternViTCheckpoint.load(directory, precision: .float32, memoryMapped: false)
            let classifier = DigitsClassifier(vision: vision)
            let headFile = directory.appendingPathComponent("head.safetensors")
            try classifier.head.load(from: SafeTensorsFile(contentsOf: headFile, memoryMapped: false), prefix: "head",
                                     precision: .float32)
            return classifier
        } catch {
            throw TrainingError("cannot load the model in \(directory.path): \(error)")
        }
    }

    private init(vision: InternVisionModel) {
        self.vision = vision
        head = Linear(vision.config.hiddenSize, Self.classes)
    }
}
