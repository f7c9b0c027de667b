import Foundation
import NN
import Tensor

/// A loaded ViT classifier with its image processor.
public struct ViTCheckpoint {
    public let model: ViTForImageClassification
    public let processor: ViTImageProcessor

    /// Loads `config.json`, `preprocessor_config.json` and the weights (strict) of a
    /// Hugging Face ViTForImageClassification directory.
    public static func load(_ directory: URL) throws -> ViTCheckpoint {
        let config = try ViTConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let model = ViTForImageClassification(config: config)
        try model.load(from: try Checkpoint.open(directory))
        let processorFile = directory.appendingPathComponent("preprocessor_config.json")
        let processor = FileManager.default.fileExists(atPath: processorFile.path) ? try ViTImageProcessor(contentsOf: processorFile) : ViTImageProcessor()
        return ViTCheckpoint(model: model, processor: processor)
    }
}
