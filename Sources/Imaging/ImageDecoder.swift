import Foundation
import Tensor

/// A decoded image and what is known about it.
public struct DecodedImage: Sendable {
    /// The file format.
    public enum Format: String, Sendable { case png, jpeg, netpbm, gif, bmp, tiff, webp }
    /// The pixels as 8-bit RGB, as Pillow's `Image.open(f).convert("RGB")` gives them
    /// (JPEG EXIF orientation *not* applied, as in the reference pipeline; a TIFF Orientation
    /// tag is, because Pillow applies it when it loads a TIFF).
    public var image: RGBImage
    public let format: Format
    /// The EXIF orientation (1 = upright … 8), 1 when absent.
    public let orientation: Int

    /// The image turned upright according to its EXIF orientation (what
    /// `ImageOps.exif_transpose` does). The reference preprocessing does not do this.
    public func applyingOrientation() -> RGBImage { Orientation.apply(orientation, to: image) }
}

/// Reads PNG, JPEG (including CMYK / YCCK), GIF, BMP, TIFF, WebP and PBM/PGM/PPM files into RGB.
public enum ImageDecoder {
    /// The formats `decode` reads, as named in messages and help text.
    public static let supportedFormats = "PNG, JPEG, GIF, BMP, TIFF, WebP, PBM/PGM/PPM"

    /// Decodes the file at `url`. Errors name the file.
    ///
    /// The file must be a regular file (a FIFO, device or directory is refused without
    /// blocking). Its first bytes are read and sniffed before anything else, so a file
    /// that is not an image costs a few bytes of I/O whatever its size; a file larger
    /// than `limits.maximumFileBytes` is refused before it is read.
    public static func decode(contentsOf url: URL, limits: DecodeLimits = DecodeLimits()) throws -> DecodedImage {
        let bytes: [UInt8]
        do {
            let file = try InputFile(path: url.path)
            let header = try file.prefix(signatureLength)
            guard format(of: header) != nil else { throw unknownFormat(header) }
            bytes = try file.readAll(maximumBytes: limits.maximumFileBytes, what: "limit for an image file (DecodeLimits.maximumFileBytes)")
        } catch let error as FileError {
            throw ImageError(error.kind == .tooLarge ? .tooLarge : .unreadable, file: url.path, error.message)
        } catch let error as ImageError {
            throw error.inFile(url.path)
        }
        do {
            return try decode(bytes: bytes, limits: limits)
        } catch let error as ImageError {
            throw error.inFile(url.path)
        }
    }

    /// Decodes image bytes (format from the signature).
    public static func decode(_ data: Data, limits: DecodeLimits = DecodeLimits()) throws -> DecodedImage {
        try decode(bytes: [UInt8](data), limits: limits)
    }

    /// How many leading bytes `format(of:)` needs (WebP's "RIFF", size, "WEBP").
    static let signatureLength = 12

    /// The format whose signature `header` starts with, or nil.
    /// Every `DecodedImage.Format` must be recognised here (the `switch` in `decode` is
    /// exhaustive, so a new format that is decoded but not sniffed does not compile).
    static func format(of header: [UInt8]) -> DecodedImage.Format? {
        if header.starts(with: PNGDecoder.signature) { return .png }
        if header.count >= 2 && header[0] == 0xFF && header[1] == 0xD8 { return .jpeg }
        if NetpbmDecoder.isNetpbm(header) { return .netpbm }
        if GIFDecoder.isGIF(header) { return .gif }
        if BMPDecoder.isBMP(header) { return .bmp }
        if TIFFDirectory.isTIFF(header) { return .tiff }
        if WebPDecoder.matches(header) { return .webp }
        return nil
    }

    static func unknownFormat(_ header: [UInt8]) -> ImageError {
        ImageError(.unsupported, header.isEmpty ? "empty file" : "unknown image format (supported: \(supportedFormats))")
    }

    static func decode(bytes: [UInt8], limits: DecodeLimits) throws -> DecodedImage {
        guard let format = format(of: Array(bytes.prefix(signatureLength))) else { throw unknownFormat(bytes) }
        switch format {
        case .png:
            return DecodedImage(image: PNGDecoder.toRGB(try PNGDecoder.decode(bytes, limits: limits)), format: .png, orientation: 1)
        case .jpeg:
            let result = try JPEGDecoder.decode(bytes, limits: limits)
            return DecodedImage(image: result.image, format: .jpeg, orientation: result.orientation)
        case .netpbm:
            return DecodedImage(image: try NetpbmDecoder.decode(bytes, limits: limits), format: .netpbm, orientation: 1)
        case .gif:
            return DecodedImage(image: try GIFDecoder.decode(bytes, limits: limits), format: .gif, orientation: 1)
        case .bmp:
            return DecodedImage(image: try BMPDecoder.decode(bytes, limits: limits), format: .bmp, orientation: 1)
        case .tiff:
            // Pillow applies a TIFF's Orientation tag itself, so the pixels come back upright.
            return DecodedImage(image: try TIFFDecoder.decode(bytes, limits: limits), format: .tiff, orientation: 1)
        case .webp:
            return DecodedImage(image: try WebPDecoder.decode(bytes, limits: limits), format: .webp, orientation: 1)
        }
    }
}

/// EXIF orientations as flips and rotations.
enum Orientation {
    static func apply(_ orientation: Int, to image: RGBImage) -> RGBImage {
        let w = image.width, h = image.height
        let swaps = orientation >= 5
        let (ow, oh) = swaps ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        for y in 0..<oh {
            for x in 0..<ow {
                // Source pixel for output (x, y), per the EXIF definitions.
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (w - 1 - x, y)
                case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                case 4: (sx, sy) = (x, h - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, h - 1 - x)
                case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                case 8: (sx, sy) = (w - 1 - y, x)
                default: (sx, sy) = (x, y)
                }
                let s = (sy * w + sx) * 3, d = (y * ow + x) * 3
                out[d] = image.pixels[s]; out[d + 1] = image.pixels[s + 1]; out[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}
