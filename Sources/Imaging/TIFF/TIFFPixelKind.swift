/// How the samples of a TIFF image become RGB: the subset of Pillow's `OPEN_INFO` table
/// (photometric interpretation, sample format, bits per sample, extra samples → mode and
/// raw mode) that a baseline reader meets, each with Pillow's `convert("RGB")` rule.
enum TIFFPixelKind: Equatable {
    /// Mode `L` from 1, 2, 4 or 8 bits (scaled by 255, 85, 17, 1), `inverted` for WhiteIsZero.
    case gray(bits: Int, inverted: Bool)
    /// Mode `I;16` / `I;16B` (or `I` for signed samples): values clamp to 0...255 in the RGB
    /// conversion (`I16_RGB` / `i2rgb` in Pillow's Convert.c).
    case gray16(signed: Bool)
    /// Mode `LA`: the gray level, alpha dropped.
    case grayAlpha
    /// RGB with `samples` samples per pixel of `bytes` bytes each: 16-bit samples keep their
    /// high byte (Pillow's `RGB;16L` / `RGB;16B`); `premultiplied` (ExtraSamples = 1) is
    /// un-premultiplied as Pillow's `RGBa` / `RGBa;16` unpackers do (`v · 255 / a` on the
    /// high bytes, clipped; a = 0 gives black).
    case rgb(bytes: Int, samples: Int, premultiplied: Bool)
    /// Palette indices of 1, 2, 4 or 8 bits (`samples` = 2 when an extra sample follows).
    case palette(bits: Int, samples: Int)
    /// CMYK (plus unused extra samples; 16-bit samples keep their high byte), converted
    /// as Pillow's `cmyk2rgb`.
    case cmyk(bytes: Int, samples: Int)

    /// The kind Pillow picks, or nil where Pillow (or this reader) has none.
    static func from(photometric: Int, sampleFormat: [Int], bits: [Int], extras: [Int], bigEndian: Bool) -> TIFFPixelKind? {
        let format = sampleFormat.count > 1 && Set(sampleFormat).count == 1 ? [sampleFormat[0]] : sampleFormat
        let eights = bits.allSatisfy { $0 == 8 }, sixteens = bits.allSatisfy { $0 == 16 }
        switch (photometric, format, bits.count) {
        case (0, [1], 1), (1, [1], 1):
            if [1, 2, 4, 8].contains(bits[0]) { return .gray(bits: bits[0], inverted: photometric == 0) }
            if bits[0] == 16 && (photometric == 1 || !bigEndian) { return .gray16(signed: false) }
            return nil
        case (1, [2], 1):
            if bits[0] == 8 { return .gray(bits: 8, inverted: false) }
            if bits[0] == 16 { return .gray16(signed: true) }
            return nil
        case (1, [1], 2):
            return eights && extras == [2] ? .grayAlpha : nil
        case (2, [1], 3):
            return eights && extras.isEmpty ? .rgb(bytes: 1, samples: 3, premultiplied: false)
                : sixteens && extras.isEmpty ? .rgb(bytes: 2, samples: 3, premultiplied: false) : nil
        case (2, [1], 4):
            if eights && [[], [0], [2], [999]].contains(extras) { return .rgb(bytes: 1, samples: 4, premultiplied: false) }
            if eights && extras == [1] { return .rgb(bytes: 1, samples: 4, premultiplied: true) }
            if sixteens && [[], [0], [2]].contains(extras) { return .rgb(bytes: 2, samples: 4, premultiplied: false) }
            if sixteens && extras == [1] { return .rgb(bytes: 2, samples: 4, premultiplied: true) }
            return nil
        case (2, [1], 5), (2, [1], 6):
            guard eights, extras.count == bits.count - 3, extras.dropFirst().allSatisfy({ $0 == 0 }), [0, 1, 2].contains(extras[0]) else {
                return nil
            }
            return .rgb(bytes: 1, samples: bits.count, premultiplied: extras[0] == 1)
        case (3, [1], 1):
            return [1, 2, 4, 8].contains(bits[0]) ? .palette(bits: bits[0], samples: 1) : nil
        case (3, [1], 2):
            return eights && (extras == [0] || extras == [2]) ? .palette(bits: 8, samples: 2) : nil
        case (5, [1], 4) where sixteens && extras.isEmpty:
            return .cmyk(bytes: 2, samples: 4)
        case (5, [1], 4), (5, [1], 5), (5, [1], 6):
            return eights && extras.count == bits.count - 4 && extras.allSatisfy({ $0 == 0 }) ? .cmyk(bytes: 1, samples: bits.count) : nil
        default:
            return nil
        }
    }

    /// The assembled sample rows (`rowBytes` bytes each, samples interleaved) as RGB.
    func rgb(_ data: [UInt8], width: Int, height: Int, rowBytes: Int, bigEndian: Bool, colormap: [Int]) throws -> RGBImage {
        switch self {
        case .gray(let bits, let inverted):
            var gray = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height { PaletteExpansion.unpack(data, start: y * rowBytes, bits: bits, count: width, into: &gray, at: y * width) }
            let scale: UInt8 = [1: 255, 2: 85, 4: 17, 8: 1][bits]!
            for i in gray.indices { gray[i] = inverted ? 255 &- gray[i] &* scale : gray[i] &* scale }
            return PaletteExpansion.rgb(gray: gray, width: width, height: height)
        case .gray16(let signed):
            var gray = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height {
                for x in 0..<width {
                    let i = y * rowBytes + 2 * x
                    let raw = bigEndian ? Int(data[i]) << 8 | Int(data[i + 1]) : Int(data[i]) | Int(data[i + 1]) << 8
                    let v = signed ? Int(Int16(truncatingIfNeeded: raw)) : raw
                    gray[y * width + x] = UInt8(Swift.min(Swift.max(v, 0), 255))
                }
            }
            return PaletteExpansion.rgb(gray: gray, width: width, height: height)
        case .grayAlpha:
            var gray = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height { for x in 0..<width { gray[y * width + x] = data[y * rowBytes + 2 * x] } }
            return PaletteExpansion.rgb(gray: gray, width: width, height: height)
        case .rgb(1, 3, false) where rowBytes == width * 3:
            return RGBImage(width: width, height: height, pixels: data)   // already RGB: no copy
        case .rgb(let size, let samples, let premultiplied):
            var out = [UInt8](repeating: 0, count: width * height * 3)
            let high = size == 2 && !bigEndian ? 1 : 0   // offset of a sample's high byte
            let step = size * samples
            data.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { o in
                    for y in 0..<height {
                        var s = y * rowBytes + high, d = y * width * 3
                        for _ in 0..<width {
                            let r = input[s], g = input[s + size], b = input[s + 2 * size]
                            if premultiplied {
                                let a = Int(input[s + 3 * size])
                                func unmultiply(_ v: UInt8) -> UInt8 { a == 0 ? 0 : a == 255 ? v : UInt8(Swift.min(255, Int(v) * 255 / a)) }
                                o[d] = unmultiply(r); o[d + 1] = unmultiply(g); o[d + 2] = unmultiply(b)
                            } else {
                                o[d] = r; o[d + 1] = g; o[d + 2] = b
                            }
                            s += step; d += 3
                        }
                    }
                }
            }
            return RGBImage(width: width, height: height, pixels: out)
        case .palette(let bits, let samples):
            guard !colormap.isEmpty else { throw ImageError(.corrupt, "TIFF palette image has no colour map") }
            // Pillow keeps the high byte of each 16-bit entry; the map is all reds, then greens, then blues.
            let entries = colormap.count / 3
            var palette = [UInt8](repeating: 0, count: 3 * Swift.min(entries, 256))
            for i in 0..<Swift.min(entries, 256) {
                for c in 0..<3 { palette[3 * i + c] = UInt8(truncatingIfNeeded: colormap[c * entries + i] / 256) }
            }
            var indices = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height {
                if samples == 1 {
                    PaletteExpansion.unpack(data, start: y * rowBytes, bits: bits, count: width, into: &indices, at: y * width)
                } else {
                    for x in 0..<width { indices[y * width + x] = data[y * rowBytes + samples * x] }
                }
            }
            return PaletteExpansion.rgb(indices: indices, palette: palette, width: width, height: height)
        case .cmyk(let size, let samples):
            var out = [UInt8](repeating: 0, count: width * height * 3)
            let high = size == 2 && !bigEndian ? 1 : 0
            for y in 0..<height {
                for x in 0..<width {
                    let s = y * rowBytes + size * samples * x + high
                    CMYKColor.rgb(data[s], data[s + size], data[s + 2 * size], data[s + 3 * size], into: &out, at: (y * width + x) * 3)
                }
            }
            return RGBImage(width: width, height: height, pixels: out)
        }
    }
}
