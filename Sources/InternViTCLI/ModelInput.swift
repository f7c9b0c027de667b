import Foundation
import Imaging
import InternViT
import Tensor

/// What `trace` and `attention` share: the layer option and the one-image model input.
extension InternViTCommand {
    /// `--layer L` checked against the model's layer count (negative counts from the end);
    /// nil when absent.
    static func layerIndex(_ arguments: Arguments, layers: Int, help: String) throws -> Int? {
        guard arguments.values["layer"] != nil else { return nil }
        let layer = try arguments.integer("layer", default: 0, range: -layers...(layers - 1), help: help)
        return layer < 0 ? layers + layer : layer
    }

    /// An image file decoded and preprocessed as the model directory's
    /// `preprocessor_config.json` says (or InternViT's settings at the model's image size:
    /// 224 for `--model random-tiny`): the 8-bit crop the model sees and its
    /// `pixel_values` `[1, 3, H, W]`. The crop must hold at least one patch and at most
    /// the token limit the model accepts.
    static func modelInput(_ path: String, directory: URL?, config: InternVisionConfig,
                           console: Console) throws -> (crop: RGBImage, pixels: Tensor<Float>) {
        let preprocessing = try clip(directory: directory, tileSize: config.imageSize, console: console)
        try preprocessing.validate(for: config)                              // crop ≥ one patch, tokens bounded
        guard case .clip(let processor) = preprocessing else {
            throw RuntimeFailure(description: "no single-tile preprocessing for this model")
        }
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path)).image
        do { return (try processor.resizedAndCropped(image), try processor(image)) } catch var error as ImageError {
            error.file = path
            throw error
        }
    }
}
