import Foundation
import Imaging
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
    public func pixelValues(_ image: RGBImage) -> Tensor<Float> {
        switch self {
        case .clip(let processor): return processor(image)
        case .dynamic(let tiling): return tiling(image)
        }
    }
}
