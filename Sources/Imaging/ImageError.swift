/// A problem decoding or processing an image: names the file and what is wrong.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read.
        case unreadable
        /// Not a format we decode (unknown signature), or a feature we do not support.
        case unsupported
        /// The data ends early.
        case truncated
        /// The data is malformed (bad checksum, bad Huffman code, inconsistent header, …).
        case corrupt
        /// The image is larger than the pixel limit.
        case tooLarge
    }

    public let kind: Kind
    public var file: String
    public let message: String

    public init(_ kind: Kind, file: String = "<memory>", _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }

    /// The same error attributed to `file`.
    func inFile(_ name: String) -> ImageError {
        var copy = self
        copy.file = name
        return copy
    }
}

/// Limits applied while decoding, checked from headers before any large allocation.
public struct DecodeLimits: Sendable {
    /// Largest accepted width × height. The default is Pillow's decompression-bomb error
    /// threshold (2 × `Image.MAX_IMAGE_PIXELS` = 178,956,970 pixels).
    public var maximumPixels: Int
    /// Largest accepted side (guards against extreme aspect ratios).
    public var maximumSide: Int

    /// Most scans (SOS markers) in a JPEG. Each scan may walk every block, so this bounds
    /// the decode work to a constant times the pixel count. 500 is the limit
    /// libjpeg-turbo's fuzz targets set (`TJPARAM_SCANLIMIT`, djpeg `-maxscans`); Pillow
    /// sets none. Real progressive files have about 10 (libjpeg's default script) and
    /// rarely more than 20.
    public var maximumScans = 500
    /// Most block decodes in a JPEG, as a multiple of the frame's block count: the scans
    /// together may visit each block this many times. Real files visit each block once
    /// per scan that covers it (about 10 in total for a progressive file); empty scans
    /// cost nothing; 100 leaves a wide margin and keeps decode time a small constant
    /// times the pixel count even for valid files built from long EOB runs.
    public var maximumBlockVisitsPerBlock = 100

    /// Largest accepted file, checked (from `fstat`) before a file is read. The default,
    /// 8 bytes per pixel of `maximumPixels` plus 16 MiB, is the size of the largest
    /// image the decoders accept stored uncompressed at 16-bit RGBA (PNG's largest
    /// lossless encoding; binary PPM needs at most 6 bytes per pixel), with room for
    /// metadata: about 1.45 GB at the default pixel cap. Larger files cannot be images
    /// the decoders would accept (except ASCII PPM with very long numbers or padding),
    /// so they are refused without being read.
    public var maximumFileBytes: Int

    public init(maximumPixels: Int = 178_956_970, maximumSide: Int = 1 << 20, maximumFileBytes: Int? = nil) {
        self.maximumPixels = maximumPixels
        self.maximumSide = maximumSide
        let (perPixel, overflow) = maximumPixels.multipliedReportingOverflow(by: 8)
        self.maximumFileBytes = maximumFileBytes ?? (overflow ? Int.max : perPixel.addingReportingOverflow(16 << 20).overflow ? Int.max : perPixel + (16 << 20))
    }

    /// Throws `.tooLarge` when an image of `width` × `height` (decoded, or derived: a
    /// resize target, a tiling grid, a canvas) would pass the limits; `what` names it.
    /// Overflow-safe for any `Int` sizes.
    public func checkDerived(width: Int, height: Int, _ what: String) throws {
        guard width > 0, height > 0 else { throw ImageError(.corrupt, "\(what): \(width) x \(height) has no pixels") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width <= maximumSide, height <= maximumSide, !overflow, pixels <= maximumPixels else {
            throw ImageError(.tooLarge, "\(what): \(width) x \(height) pixels exceeds the limit of \(maximumPixels) pixels (and \(maximumSide) per side)")
        }
    }

    func check(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw ImageError(.corrupt, "image has no pixels (\(width) x \(height))") }
        guard width <= maximumSide, height <= maximumSide, width.multipliedReportingOverflow(by: height).partialValue <= maximumPixels,
              !width.multipliedReportingOverflow(by: height).overflow else {
            throw ImageError(.tooLarge, "image of \(width) x \(height) pixels exceeds the limit of \(maximumPixels) pixels")
        }
    }
}
