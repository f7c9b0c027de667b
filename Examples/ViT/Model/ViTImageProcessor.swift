import Foundation
import Imaging
import Tensor

/// Hugging Face's `ViTImageProcessor` (PIL path): resize to exactly `size` (bilinear by
/// default), rescale by 1/255, normalise (mean = std = 0.5 by default). No crop.
public struct ViTImageProcessor: Sendable {
    public var height = 224, width = 224
    public var resample = ResamplingFilter.bilinear
    public var rescaleFactor = 1.0 / 255.0
    public var mean: [Float] = [0.5, 0.5, 0.5], std: [Float] = [0.5, 0.5, 0.5]

    public init() {}

    /// Reads `preprocessor_config.json`.
    public init(contentsOf url: URL) throws {
        let json = try JSONValue.parse(Data(try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes)))
        if let size = json["size"] {
            if let n = size.intValue { height = n; width = n } else if let h = size["height"]?.intValue, let w = size["width"]?.intValue {
                height = h; width = w
            } else { throw ViTError("\(url.path): unsupported \"size\"") }
        }
        if let r = json["resample"]?.intValue {
            guard let filter = ResamplingFilter(rawValue: r) else { throw ViTError("\(url.path): unsupported resample \(r)") }
            resample = filter
        }
        rescaleFactor = json["rescale_factor"]?.doubleValue ?? rescaleFactor
        if let m = json["image_mean"]?.arrayValue?.compactMap(\.doubleValue), m.count == 3 { mean = m.map { Float($0) } }
        if let s = json["image_std"]?.arrayValue?.compactMap(\.doubleValue), s.count == 3 { std = s.map { Float($0) } }
    }

    /// `[1, 3, height, width]`.
    public func callAsFunction(_ image: RGBImage) -> Tensor<Float> {
        let resized = image.width == width && image.height == height ? image : image.resized(width: width, height: height, filter: resample)
        return CLIPImageProcessor.normalizedTensor([resized], rescale: rescaleFactor, mean: mean, std: std)
    }
}
