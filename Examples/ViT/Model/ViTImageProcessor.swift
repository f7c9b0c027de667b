import Foundation
import Imaging
import NN
import Tensor

/// Hugging Face's `ViTImageProcessor` (PIL path): resize to exactly `size` (bilinear by
/// default), rescale by 1/255, normalise (mean = std = 0.5 by default). No crop.
public struct ViTImageProcessor: Sendable {
    public var height = 224, width = 224
    public var resample = ResamplingFilter.bilinear
    public var rescaleFactor = 1.0 / 255.0
    public var mean: [Float] = [0.5, 0.5, 0.5], std: [Float] = [0.5, 0.5, 0.5]

    public init() {}

    /// Reads `preprocessor_config.json` (through NN's `ConfigReader`: wrong types are
    /// errors, and sizes stay under the image pixel cap).
    public init(contentsOf url: URL) throws {
        let r = try ConfigReader(contentsOf: url)
        if let n = r.value("size")?.intValue {
            guard (1...13_377).contains(n) else { throw r.error("size", "\(n) is outside the supported range 1...13377") }
            height = n; width = n
        } else if let size = try r.child("size") {
            guard let h = try size.int("height", in: 1...13_377), let w = try size.int("width", in: 1...13_377) else {
                throw r.error("size", "needs height and width")
            }
            height = h; width = w
        }
        if let code = try r.int("resample") {
            guard let filter = ResamplingFilter(rawValue: code) else { throw r.error("resample", "only 2 (bilinear) and 3 (bicubic) are supported") }
            resample = filter
        }
        rescaleFactor = try r.double("rescale_factor") ?? rescaleFactor
        mean = try r.floats("image_mean", counts: [3]) ?? mean
        std = try r.floats("image_std", counts: [3]) ?? std
        guard std.allSatisfy({ $0 != 0 }) else { throw r.error("image_std", "must not be zero") }
    }

    /// `[1, 3, height, width]`.
    public func callAsFunction(_ image: RGBImage) -> Tensor<Float> {
        let resized = image.width == width && image.height == height ? image : image.resized(width: width, height: height, filter: resample)
        return CLIPImageProcessor.normalizedTensor([resized], rescale: rescaleFactor, mean: mean, std: std)
    }
}
