import Foundation
import Imaging
import NN
import Tensor

/// How images become `pixel_values` for the model.
public enum InternViTPreprocessing: Sendable {
    /// One tile through `CLIPImageProcessor` (the model card's pipeline, from the model
    /// directory's `preprocessor_config.json`).
    case clip(CLIPImageProcessor)
    /// InternVL's dynamic tiling (what InternVL chat models feed the vision model).
    case dynamic(DynamicTiling)

    /// The processor of a model directory: its `preprocessor_config.json`, or, when the
    /// directory has none, InternViT's settings (bicubic, ImageNet mean and std) resized
    /// and cropped to `imageSize` (pass the model's `config.imageSize`; 448 for
    /// InternViT-300M-448px).
    public static func clip(directory: URL?, imageSize: Int = 448) throws -> InternViTPreprocessing {
        if let directory {
            let file = directory.appendingPathComponent("preprocessor_config.json")
            if FileManager.default.fileExists(atPath: file.path) {
                return .clip(CLIPImageProcessor(config: try CLIPImageProcessorConfig(contentsOf: file)))
            }
        }
        var config = CLIPImageProcessorConfig.internViT
        config.size = .shortestEdge(imageSize)
        config.cropHeight = imageSize
        config.cropWidth = imageSize
        return .clip(CLIPImageProcessor(config: config))
    }

    /// `[tiles, 3, H, W]` for one image.
    /// - Throws: `ImageError.Kind.tooLarge` when a resize target passes the pixel cap.
    public func pixelValues(_ image: RGBImage) throws -> Tensor<Float> {
        switch self {
        case .clip(let processor): return try processor(image)
        case .dynamic(let tiling): return try tiling(image)
        }
    }

    /// Rejects settings the model in `config` cannot run with, before any image is read:
    /// a crop (or exact resize, or tile) smaller than one patch, more patch tokens than
    /// `InternVisionModel.maximumTokens`, or tiles past the pixel cap.
    /// - Throws: `ConfigError` naming `preprocessor_config.json` and the key.
    public func validate(for config: InternVisionConfig) throws {
        func check(_ key: String, height: Int, width: Int) throws {
            let file = key == "image_size" ? "config.json" : "preprocessor_config.json"
            guard height >= config.patchSize, width >= config.patchSize else {
                throw ConfigError(file: file, key: key, "\(height) x \(width) is smaller than one \(config.patchSize)-pixel patch of the model")
            }
            let tokens = (height / config.patchSize).multipliedReportingOverflow(by: width / config.patchSize)
            guard !tokens.overflow, tokens.partialValue <= InternVisionModel.maximumTokens else {
                throw ConfigError(file: file, key: key, "\(height) x \(width) gives more than \(InternVisionModel.maximumTokens) patch tokens")
            }
        }
        switch self {
        case .clip(let processor):
            let c = processor.config
            if c.doCenterCrop {
                try check("crop_size", height: c.cropHeight, width: c.cropWidth)
            } else if c.doResize {
                switch c.size {
                case .exact(let h, let w): try check("size", height: h, width: w)
                case .shortestEdge(let n): try check("size", height: n, width: n)
                }
            }
        case .dynamic(let tiling):
            try check("image_size", height: tiling.tileSize, width: tiling.tileSize)
            do { try tiling.validate() } catch let error as ImageError { throw ConfigError(file: "config.json", key: "image_size", error.message) }
        }
    }
}
