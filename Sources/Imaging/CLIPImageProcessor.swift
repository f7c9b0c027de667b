import Foundation
import Tensor

/// The settings of a `CLIPImageProcessor`, read from `preprocessor_config.json`.
public struct CLIPImageProcessorConfig: Sendable, Equatable {
    /// How `size` asks images to be resized.
    public enum Size: Sendable, Equatable {
        /// Shortest edge to this many pixels, aspect ratio kept (`size: 448` or `{"shortest_edge": 448}`).
        case shortestEdge(Int)
        /// Exactly height × width (`{"height": h, "width": w}`).
        case exact(height: Int, width: Int)
    }

    public var doResize = true
    public var size = Size.shortestEdge(224)
    public var resample = ResamplingFilter.bicubic
    public var doCenterCrop = true
    public var cropHeight = 224, cropWidth = 224
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doNormalize = true
    public var imageMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    public init() {}

    /// InternViT-300M-448px's `preprocessor_config.json`.
    public static var internViT: CLIPImageProcessorConfig {
        var c = CLIPImageProcessorConfig()
        c.size = .shortestEdge(448); c.cropHeight = 448; c.cropWidth = 448
        c.imageMean = [0.485, 0.456, 0.406]; c.imageStd = [0.229, 0.224, 0.225]
        return c
    }

    /// Reads `preprocessor_config.json` (absent keys keep CLIPImageProcessor's defaults).
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = Data(try InputFile.read(url.path, maximumBytes: InputFile.maximumJSONBytes, what: "limit for a config")) }
        catch let error as FileError { throw ImageError(.unreadable, file: url.path, error.message) }
        do { try self.init(json: data) } catch let error as ImageError { throw error.inFile(url.path) }
    }

    public init(json data: Data) throws {
        self.init()
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw ImageError(.corrupt, "preprocessor config: \(error)") }
        guard root.objectPairs != nil else { throw ImageError(.corrupt, "preprocessor config is not a JSON object") }
        func fail(_ key: String, _ message: String) -> ImageError { ImageError(.corrupt, "preprocessor config \"\(key)\": \(message)") }
        func bool(_ key: String) throws -> Bool? {
            guard let v = root[key], !v.isNull else { return nil }
            guard let b = v.boolValue else { throw fail(key, "expected true or false") }
            return b
        }
        func int(_ value: JSONValue?, _ key: String) throws -> Int? {
            guard let v = value, !v.isNull else { return nil }
            guard let n = v.intValue else { throw fail(key, "expected an integer, got \(v)") }
            return n
        }
        func sizePair(_ key: String) throws -> (Int?, Int?, Int?)? {   // (shortest, height, width)
            guard let v = root[key], !v.isNull else { return nil }
            if let n = v.intValue { return (n, nil, nil) }
            if let pairs = v.objectPairs {
                for (name, _) in pairs where !["shortest_edge", "height", "width", "longest_edge"].contains(name) {
                    throw fail(key, "unknown size key \"\(name)\"")
                }
                if v["longest_edge"].map({ !$0.isNull }) == true { throw fail(key, "longest_edge is not supported") }
                return (try int(v["shortest_edge"], key), try int(v["height"], key), try int(v["width"], key))
            }
            throw fail(key, "expected an integer or an object")
        }
        doResize = try bool("do_resize") ?? doResize
        doCenterCrop = try bool("do_center_crop") ?? doCenterCrop
        doRescale = try bool("do_rescale") ?? doRescale
        doNormalize = try bool("do_normalize") ?? doNormalize
        if let (shortest, h, w) = try sizePair("size") {
            if let shortest { size = .shortestEdge(shortest) } else if let h, let w { size = .exact(height: h, width: w) } else {
                throw fail("size", "needs shortest_edge or height and width")
            }
        }
        if let (square, h, w) = try sizePair("crop_size") {
            if let square { cropHeight = square; cropWidth = square } else if let h, let w { cropHeight = h; cropWidth = w } else {
                throw fail("crop_size", "needs height and width")
            }
        }
        if let v = root["resample"], !v.isNull {
            guard let code = v.intValue, let filter = ResamplingFilter(rawValue: code) else {
                throw fail("resample", "only 2 (bilinear) and 3 (bicubic) are supported")
            }
            resample = filter
        }
        if let v = root["rescale_factor"], !v.isNull {
            guard let d = v.doubleValue, d.isFinite else { throw fail("rescale_factor", "expected a number") }
            rescaleFactor = d
        }
        for (key, keyPath) in [("image_mean", \CLIPImageProcessorConfig.imageMean), ("image_std", \.imageStd)] {
            guard let v = root[key], !v.isNull else { continue }
            let elements = v.arrayValue ?? [v]
            var values: [Float] = []
            for element in elements {
                guard let d = element.doubleValue, Float(d).isFinite else { throw fail(key, "expected numbers, got \(element)") }
                values.append(Float(d))
            }
            guard values.count == 3 || values.count == 1 else { throw fail(key, "expected 3 numbers") }
            self[keyPath: keyPath] = values.count == 1 ? [Float](repeating: values[0], count: 3) : values
        }
        guard imageStd.allSatisfy({ $0 != 0 }) else { throw fail("image_std", "must not be zero") }
        try validate()
    }

    /// Rejects sizes no image could be processed with: every resize target and crop must
    /// be positive and, as an image, pass `limits` (the decoder's pixel cap), so a
    /// `crop_size` of 2⁴⁰ or a `size` of 10⁶ is an error here, not an allocation later.
    public func validate(limits: DecodeLimits = DecodeLimits()) throws {
        func fail(_ key: String, _ message: String) -> ImageError { ImageError(.corrupt, "preprocessor config \"\(key)\": \(message)") }
        for (key, h, w) in [("size", sizeMinimum, sizeMinimum), ("crop_size", cropHeight, cropWidth)] {
            guard h > 0, w > 0 else { throw fail(key, "must be positive") }
            do { try limits.checkDerived(width: w, height: h, "as an image") } catch let error as ImageError {
                throw fail(key, error.message)
            }
        }
        if case .exact(let h, let w) = size {
            do { try limits.checkDerived(width: w, height: h, "the resize target") } catch let error as ImageError {
                throw fail("size", error.message)
            }
        }
    }

    private var sizeMinimum: Int {
        switch size {
        case .shortestEdge(let n): return n
        case .exact(let h, let w): return Swift.min(h, w)
        }
    }
}

/// `CLIPImageProcessor`'s PIL path as in transformers 4.x (the model's checkpoint was made
/// with 4.37; in transformers ≥ 5 this path is `CLIPImageProcessorPil`):
/// resize (shortest edge, long side `int(short·long/short)`, PIL filter) → center crop
/// (offsets floored; zero padding when the image is smaller) → rescale
/// (`float32(float64(u8)·factor)`) → normalise (float32) → `[N, 3, H, W]`.
public struct CLIPImageProcessor: Sendable {
    public let config: CLIPImageProcessorConfig
    /// The pixel cap every intermediate image (the resize target) must pass.
    public let limits: DecodeLimits

    public init(config: CLIPImageProcessorConfig, limits: DecodeLimits = DecodeLimits()) {
        self.config = config
        self.limits = limits
    }

    /// The resized and cropped 8-bit image (before rescaling).
    /// - Throws: `ImageError.Kind.tooLarge` when the resize target passes `limits` (a
    ///   65535 × 1 image resized to a 448-pixel shortest edge would be 29 million × 448).
    public func resizedAndCropped(_ image: RGBImage) throws -> RGBImage {
        var current = image
        if config.doResize {
            let (h, w) = outputSize(height: image.height, width: image.width)
            // A center crop inside the resize target: compute only the cropped pixels
            // (exactly what resizing everything and cropping gives), so an extreme aspect
            // ratio costs the crop, not the billions of pixels of the full resize.
            let (cropH, cropW) = (config.cropHeight, config.cropWidth)
            if config.doCenterCrop && h >= cropH && w >= cropW && h <= Self.largestRegionResize && w <= Self.largestRegionResize
                && (h != image.height || w != image.width) {
                let top = (h - cropH) / 2, left = (w - cropW) / 2
                return image.resized(width: w, height: h, filter: config.resample, columns: left..<(left + cropW), rows: top..<(top + cropH))
            }
            try limits.checkDerived(width: w, height: h, "resizing a \(image.width) x \(image.height) image")
            if h != image.height || w != image.width { current = current.resized(width: w, height: h, filter: config.resample) }
        }
        if config.doCenterCrop { current = Self.centerCrop(current, height: config.cropHeight, width: config.cropWidth) }
        return current
    }

    /// Largest resize target side computed only in part (beyond it pixel coordinates
    /// would not be exact in `Double`, and the target must pass `limits` as a whole).
    static let largestRegionResize = 1 << 31

    /// transformers' `get_resize_output_image_size` (height, width).
    public func outputSize(height: Int, width: Int) -> (Int, Int) {
        switch config.size {
        case .exact(let h, let w): return (h, w)
        case .shortestEdge(let target):
            let (short, long) = width <= height ? (width, height) : (height, width)
            // Clamped so absurd aspect ratios give a (refused) huge size, never a trap.
            let newLong = Int(Swift.min((Double(target) * Double(long) / Double(short)).rounded(.towardZero), Double(1 << 62)))
            return width <= height ? (newLong, target) : (target, newLong)
        }
    }

    /// transformers' `center_crop`: top/left offsets floored; when the image is smaller
    /// than the crop it is first centred on a zero (black) canvas.
    public static func centerCrop(_ image: RGBImage, height: Int, width: Int) -> RGBImage {
        func floorHalf(_ x: Int) -> Int { x >= 0 ? x / 2 : -((-x + 1) / 2) }     // Python's x // 2
        var top = floorHalf(image.height - height), left = floorHalf(image.width - width)
        if top >= 0 && left >= 0 { return image.cropped(left: left, top: top, width: width, height: height) }
        let canvasH = Swift.max(height, image.height), canvasW = Swift.max(width, image.width)
        let padTop = (canvasH - image.height + 1) / 2, padLeft = (canvasW - image.width + 1) / 2   // ceil
        var canvas = RGBImage(width: canvasW, height: canvasH)
        for y in 0..<image.height {
            let src = y * image.width * 3, dst = ((y + padTop) * canvasW + padLeft) * 3
            canvas.pixels.replaceSubrange(dst..<(dst + image.width * 3), with: image.pixels[src..<(src + image.width * 3)])
        }
        top += padTop
        left += padLeft
        return canvas.cropped(left: left, top: top, width: width, height: height)
    }

    /// `[1, 3, H, W]` pixel values for one image.
    public func callAsFunction(_ image: RGBImage) throws -> Tensor<Float> {
        Self.normalizedTensor([try resizedAndCropped(image)], rescale: config.doRescale ? config.rescaleFactor : nil,
                              mean: config.doNormalize ? config.imageMean : nil, std: config.imageStd)
    }

    /// `[N, 3, H, W]` from same-sized 8-bit images: `float32(u8·rescale)`, then
    /// `(x − mean_c)/std_c` in float32 (each step optional).
    public static func normalizedTensor(_ images: [RGBImage], rescale: Double?, mean: [Float]?, std: [Float]) -> Tensor<Float> {
        precondition(!images.isEmpty, "no images")
        let (h, w) = (images[0].height, images[0].width)
        precondition(images.allSatisfy { $0.height == h && $0.width == w }, "images differ in size")
        var result = Tensor<Float>.zeros([images.count, 3, h, w])
        let lookup: [[Float]] = (0..<3).map { c in
            (0..<256).map { v in
                var x = rescale.map { Float(Double(v) * $0) } ?? Float(v)
                if let mean { x = (x - mean[c]) / std[c] }
                return x
            }
        }
        result.withUnsafeMutableBufferPointer { out in
            for (n, image) in images.enumerated() {
                for c in 0..<3 {
                    let plane = out.baseAddress! + (n * 3 + c) * h * w
                    for i in 0..<(h * w) { plane[i] = lookup[c][Int(image.pixels[i * 3 + c])] }
                }
            }
        }
        return result
    }
}
