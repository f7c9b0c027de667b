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

    func check(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw ImageError(.corrupt, "image has no pixels (\(width) x \(height))") }
        guard width <= maximumSide, height <= maximumSide, width.multipliedReportingOverflow(by: height).partialValue <= maximumPixels,
              !width.multipliedReportingOverflow(by: height).overflow else {
            throw ImageError(.tooLarge, "image of \(width) x \(height) pixels exceeds the limit of \(maximumPixels) pixels")
        }
    }
}
