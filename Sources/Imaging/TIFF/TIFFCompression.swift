/// The TIFF compressions Pillow reads through libtiff that a baseline reader needs —
/// none (1), LZW (5), Deflate (8 and the old 32946) and PackBits (32773) — and the
/// horizontal-differencing predictor (2) that LZW and Deflate files often use.
enum TIFFCompression {
    static func isSupported(_ scheme: Int) -> Bool { [1, 5, 7, 8, 32946, 32773].contains(scheme) }

    /// A JPEG-compressed (7) strip or tile of `width` × `rows` pixels as 8-bit samples
    /// (`components` per pixel: 3 = RGB, 1 = gray), as libtiff hands libjpeg's output to
    /// Pillow (`JPEGCOLORMODE_RGB`: libjpeg's own upsampling and YCbCr → RGB). The shared
    /// `JPEGTables` (tag 347) are spliced in front of the abbreviated stream.
    /// The JPEG frame may not exceed `width` × `fullRows` pixels (checked from its header,
    /// so a strip cannot claim a huge frame).
    static func jpeg(_ data: ArraySlice<UInt8>, tables: [UInt8], width: Int, rows: Int, fullRows: Int, components: Int) throws -> [UInt8] {
        var stream: [UInt8]
        if tables.count >= 4, data.count >= 2, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 {
            stream = Array(tables.dropLast(2)) + data.dropFirst(2)
        } else {
            stream = Array(data)
        }
        let decoded = try JPEGDecoder.decode(stream, limits: DecodeLimits(maximumPixels: width * fullRows))
        stream = []
        guard decoded.image.width == width, decoded.image.height >= rows, decoded.components == components else {
            throw ImageError(.corrupt, "TIFF JPEG strip or tile is \(decoded.image.width) x \(decoded.image.height) with "
                             + "\(decoded.components) components, \(width) x \(rows) with \(components) expected")
        }
        if components == 3 { return Array(decoded.image.pixels.prefix(width * rows * 3)) }
        return (0..<(width * rows)).map { decoded.image.pixels[3 * $0] }
    }

    /// One strip or tile as `count` bytes. `fullCount` is the size a writer may have
    /// padded a short last strip to (Deflate output is allowed to reach it).
    static func decompress(_ data: ArraySlice<UInt8>, scheme: Int, count: Int, fullCount: Int) throws -> [UInt8] {
        switch scheme {
        case 1:
            guard data.count >= count else { throw ImageError(.truncated, "TIFF strip holds \(data.count) of \(count) bytes") }
            return Array(data.prefix(count))
        case 5:
            return try LZW.decodeTIFF(data, count: count)
        case 8, 32946:
            let out = try Inflate.zlib(Array(data), limit: Swift.max(count, fullCount))
            guard out.count >= count else { throw ImageError(.truncated, "TIFF Deflate strip holds \(out.count) of \(count) bytes") }
            return out.count == count ? out : Array(out.prefix(count))
        case 32773:
            return try packBits(data, count: count)
        default:
            throw ImageError(.unsupported, "TIFF compression \(scheme) is not supported")
        }
    }

    /// PackBits (Apple's run-length scheme): a header n in 0...127 copies n + 1 bytes, in
    /// −127...−1 repeats the next byte 1 − n times, −128 is a no-op. Output past `count`
    /// is dropped (libtiff discards it with a warning); ending short is an error.
    static func packBits(_ data: ArraySlice<UInt8>, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var n = 0, p = data.startIndex
        while n < count {
            guard p < data.endIndex else { throw ImageError(.truncated, "TIFF PackBits strip holds \(n) of \(count) bytes") }
            let header = Int(Int8(bitPattern: data[p]))
            p += 1
            if header >= 0 {
                let length = header + 1
                guard p + length <= data.endIndex else { throw ImageError(.truncated, "TIFF PackBits literal run is cut off") }
                for i in 0..<Swift.min(length, count - n) { out[n + i] = data[p + i] }
                p += length
                n += length
            } else if header != -128 {
                guard p < data.endIndex else { throw ImageError(.truncated, "TIFF PackBits run is cut off") }
                let length = 1 - header
                for i in 0..<Swift.min(length, count - n) { out[n + i] = data[p] }
                p += 1
                n += length
            }
        }
        return out
    }

    /// Undoes horizontal differencing in place: each sample of a row adds the sample
    /// `samplesPerPixel` before it, in 8- or 16-bit arithmetic (16-bit words in the
    /// file's byte order), as libtiff's `horAcc8` / `horAcc16` do.
    static func undoPredictor(_ data: inout [UInt8], rowBytes: Int, rows: Int, bitsPerSample: Int, samplesPerPixel: Int,
                              bigEndian: Bool) throws {
        switch bitsPerSample {
        case 8:
            for r in 0..<rows {
                let start = r * rowBytes
                var i = start + samplesPerPixel
                while i < start + rowBytes { data[i] = data[i] &+ data[i - samplesPerPixel]; i += 1 }
            }
        case 16:
            let step = 2 * samplesPerPixel
            for r in 0..<rows {
                let start = r * rowBytes
                var i = start + step
                while i + 1 < start + rowBytes {
                    let (hi, lo) = bigEndian ? (i, i + 1) : (i + 1, i)
                    let (phi, plo) = bigEndian ? (i - step, i - step + 1) : (i - step + 1, i - step)
                    let sum = (UInt16(data[hi]) << 8 | UInt16(data[lo])) &+ (UInt16(data[phi]) << 8 | UInt16(data[plo]))
                    data[hi] = UInt8(sum >> 8); data[lo] = UInt8(sum & 0xFF)
                    i += 2
                }
            }
        default:
            throw ImageError(.unsupported, "TIFF horizontal predictor with \(bitsPerSample)-bit samples is not supported")
        }
    }
}
