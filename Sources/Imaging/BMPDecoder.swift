/// Windows BMP decoding as Pillow's `BmpImagePlugin` reads it for `convert("RGB")`:
/// OS/2 (12-byte) and Windows v3–v5 headers; 1-, 4- and 8-bit palettes; 16-bit 5-5-5
/// (the default) and 5-6-5 bit fields scaled as `v · 255 / 31` (or `/ 63`) truncated;
/// 24-bit; 32-bit with any of Pillow's supported bit-field layouts (alpha dropped);
/// RLE8 and RLE4; bottom-up and top-down (negative height) row order.
///
/// Pillow's quirks are kept: a palette that is exactly black/white (2 colours) or the ramp
/// 0, 1, 2, … becomes mode `1` / `L` and the rows are then read at 1 / 8 bits per pixel
/// whatever the file's depth; RLE4 absolute runs of odd length drop their last pixel;
/// RLE data that ends before the last row is an error ("not enough image data").
enum BMPDecoder {
    static func isBMP(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == UInt8(ascii: "B") && bytes[1] == UInt8(ascii: "M") }

    /// How rows are read: the bits per pixel Pillow's raw mode takes from each row, and
    /// how a pixel's bytes become RGB.
    enum Layout {
        case indexed(bits: Int)           // palette indices (mode P)
        case bilevel                      // mode "1": 1 bit per pixel, 0 → 0, 1 → 255
        case gray                         // mode "L": 8 bits per pixel
        case rgb555, rgb565
        case bytes(count: Int, r: Int, g: Int, b: Int)   // byte positions of R, G, B in a pixel
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        guard isBMP(bytes) else { throw ImageError(.unsupported, "not a BMP file") }
        guard bytes.count >= 18 else { throw ImageError(.truncated, "BMP header is cut off") }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        var offset = u32(10)
        let headerSize = u32(14)
        guard [12, 40, 52, 56, 64, 108, 124].contains(headerSize) else {
            throw ImageError(.unsupported, "unsupported BMP header size \(headerSize)")
        }
        guard 14 + headerSize <= bytes.count else { throw ImageError(.truncated, "BMP header is cut off") }
        let h = 18   // start of the header after its size field
        var position = 14 + headerSize
        let width: Int, height: Int, bits: Int, compression: Int
        var colors = 0, paletteEntrySize = 4, topDown = false
        var masks: [Int] = []
        if headerSize == 12 {
            width = u16(h); height = u16(h + 2); bits = u16(h + 6); compression = 0
            paletteEntrySize = 3
        } else {
            topDown = bytes[h + 7] == 0xFF
            width = u32(h)
            height = topDown ? (1 << 32) - u32(h + 4) : u32(h + 4)
            bits = u16(h + 10); compression = u32(h + 12); colors = u32(h + 28)
            if compression == 3 {
                if headerSize >= 52 {
                    let count = headerSize >= 56 ? 4 : 3
                    masks = (0..<count).map { u32(h + 36 + 4 * $0) } + (count == 3 ? [0] : [])
                } else {
                    guard position + 12 <= bytes.count else { throw ImageError(.truncated, "BMP bit-field masks are cut off") }
                    masks = (0..<3).map { u32(position + 4 * $0) } + [0]
                    position += 12
                }
            }
        }
        try limits.check(width: width, height: height)
        if colors == 0 { colors = 1 << Swift.min(bits, 30) }
        if offset == 14 + headerSize && bits <= 8 { offset += paletteEntrySize * colors }
        var layout: Layout
        switch bits {
        case 1, 4, 8: layout = .indexed(bits: bits)
        case 16: layout = .rgb555
        case 24: layout = .bytes(count: 3, r: 2, g: 1, b: 0)
        case 32: layout = .bytes(count: 4, r: 2, g: 1, b: 0)
        default: throw ImageError(.unsupported, "unsupported BMP pixel depth \(bits)")
        }
        switch compression {
        case 0, 1, 2: break
        case 3:
            let rgb = Array(masks.prefix(3))
            switch (bits, rgb, masks[3]) {
            case (16, [0xF800, 0x7E0, 0x1F], _): layout = .rgb565
            case (16, [0x7C00, 0x3E0, 0x1F], _): layout = .rgb555
            case (24, [0xFF0000, 0xFF00, 0xFF], _): layout = .bytes(count: 3, r: 2, g: 1, b: 0)
            case (32, _, _):
                let supported: [[Int]] = [[0xFF0000, 0xFF00, 0xFF, 0], [0xFF00_0000, 0xFF0000, 0xFF00, 0], [0xFF00_0000, 0xFF00, 0xFF, 0],
                                          [0xFF00_0000, 0xFF0000, 0xFF00, 0xFF], [0xFF, 0xFF00, 0xFF0000, 0xFF00_0000],
                                          [0xFF0000, 0xFF00, 0xFF, 0xFF00_0000], [0xFF00_0000, 0xFF00, 0xFF, 0xFF0000]]
                if masks == [0, 0, 0, 0] {
                    layout = .bytes(count: 4, r: 2, g: 1, b: 0)
                } else if supported.contains(masks) {
                    func byte(_ mask: Int) -> Int { mask.trailingZeroBitCount / 8 }
                    layout = .bytes(count: 4, r: byte(masks[0]), g: byte(masks[1]), b: byte(masks[2]))
                } else {
                    throw ImageError(.unsupported, "unsupported BMP bit-field layout")
                }
            default: throw ImageError(.unsupported, "unsupported BMP bit-field layout")
            }
        default: throw ImageError(.unsupported, "unsupported BMP compression \(compression)")
        }
        var palette: [UInt8] = []
        if case .indexed = layout {
            guard colors > 0, colors <= 65536 else { throw ImageError(.corrupt, "BMP palette size \(colors) is out of range") }
            let size = paletteEntrySize * colors
            guard position + size <= bytes.count else { throw ImageError(.truncated, "BMP palette is cut off") }
            let entries = Array(bytes[position..<(position + size)])
            let levels = colors == 2 ? [0, 255] : Array(0..<colors)
            let grayscale = levels.enumerated().allSatisfy { i, level in
                let e = i * paletteEntrySize
                return level < 256 && entries[e] == UInt8(level) && entries[e + 1] == UInt8(level) && entries[e + 2] == UInt8(level)
            }
            if grayscale {
                layout = colors == 2 ? .bilevel : .gray
            } else {
                // Pillow refuses palettes of more than 256 entries ("invalid palette size").
                guard colors <= 256 else { throw ImageError(.corrupt, "BMP palette of \(colors) colours exceeds 256 entries") }
                palette = [UInt8](repeating: 0, count: 3 * Swift.min(colors, 256))
                for i in 0..<Swift.min(colors, 256) {
                    palette[3 * i] = entries[i * paletteEntrySize + 2]
                    palette[3 * i + 1] = entries[i * paletteEntrySize + 1]
                    palette[3 * i + 2] = entries[i * paletteEntrySize]
                }
            }
        }
        guard offset <= bytes.count else { throw ImageError(.truncated, "BMP pixel data is missing") }
        if compression == 1 || compression == 2 {
            if case .bilevel = layout { throw ImageError(.unsupported, "run-length encoded 2-colour BMP (Pillow cannot read it either)") }
            let indices = try runLengthDecoded(bytes, from: offset, width: width, height: height, fourBit: compression == 2,
                                               bottomUp: !topDown)
            if case .gray = layout { return PaletteExpansion.rgb(gray: indices, width: width, height: height) }
            return PaletteExpansion.rgb(indices: indices, palette: palette, width: width, height: height)
        }
        return try raw(bytes, from: offset, width: width, height: height, stride: ((width * bits + 31) >> 3) & ~3,
                       layout: layout, palette: palette, bottomUp: !topDown)
    }

    /// Uncompressed rows: `stride` bytes apart, the last one need not be padded.
    static func raw(_ bytes: [UInt8], from offset: Int, width: Int, height: Int, stride: Int, layout: Layout, palette: [UInt8],
                    bottomUp: Bool) throws -> RGBImage {
        let rawBits: Int
        switch layout {
        case .indexed(let bits): rawBits = bits
        case .bilevel: rawBits = 1
        case .gray: rawBits = 8
        case .rgb555, .rgb565: rawBits = 16
        case .bytes(let count, _, _, _): rawBits = 8 * count
        }
        let rowBytes = (width * rawBits + 7) / 8
        guard rowBytes <= stride else { throw ImageError(.corrupt, "BMP rows are shorter than their pixels") }
        guard offset + (height - 1) * stride + rowBytes <= bytes.count else { throw ImageError(.truncated, "BMP pixel data is cut off") }
        func rowStart(_ y: Int) -> Int { offset + (bottomUp ? height - 1 - y : y) * stride }
        switch layout {
        case .indexed(let bits):
            var indices = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height { PaletteExpansion.unpack(bytes, start: rowStart(y), bits: bits, count: width, into: &indices, at: y * width) }
            return PaletteExpansion.rgb(indices: indices, palette: palette, width: width, height: height)
        case .bilevel, .gray:
            var gray = [UInt8](repeating: 0, count: width * height)
            let bits = rawBits
            for y in 0..<height { PaletteExpansion.unpack(bytes, start: rowStart(y), bits: bits, count: width, into: &gray, at: y * width) }
            if bits == 1 { for i in gray.indices { gray[i] = gray[i] == 0 ? 0 : 255 } }
            return PaletteExpansion.rgb(gray: gray, width: width, height: height)
        case .rgb555, .rgb565:
            let green565 = { if case .rgb565 = layout { return true } else { return false } }()
            var out = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                let start = rowStart(y)
                for x in 0..<width {
                    let v = Int(bytes[start + 2 * x]) | Int(bytes[start + 2 * x + 1]) << 8
                    let o = (y * width + x) * 3
                    if green565 {
                        out[o] = UInt8(((v >> 11) & 31) * 255 / 31); out[o + 1] = UInt8(((v >> 5) & 63) * 255 / 63)
                    } else {
                        out[o] = UInt8(((v >> 10) & 31) * 255 / 31); out[o + 1] = UInt8(((v >> 5) & 31) * 255 / 31)
                    }
                    out[o + 2] = UInt8((v & 31) * 255 / 31)
                }
            }
            return RGBImage(width: width, height: height, pixels: out)
        case .bytes(let count, let r, let g, let b):
            var out = [UInt8](repeating: 0, count: width * height * 3)
            out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { input in
                    for y in 0..<height {
                        var s = rowStart(y), d = y * width * 3
                        for _ in 0..<width {
                            o[d] = input[s + r]; o[d + 1] = input[s + g]; o[d + 2] = input[s + b]
                            s += count; d += 3
                        }
                    }
                }
            }
            return RGBImage(width: width, height: height, pixels: out)
        }
    }

    /// RLE8 / RLE4 data as palette indices in image row order, following Pillow's
    /// `BmpRleDecoder` step for step (including word alignment by file position).
    static func runLengthDecoded(_ bytes: [UInt8], from offset: Int, width: Int, height: Int, fourBit: Bool,
                                 bottomUp: Bool) throws -> [UInt8] {
        let total = width * height
        var data = [UInt8](repeating: 0, count: total)   // in stored (file) row order
        var n = 0, x = 0, p = offset
        func append(_ value: UInt8) { if n < total { data[n] = value }; n += 1 }
        decoding: while n < total {
            guard p + 2 <= bytes.count else { break }
            let count = Int(bytes[p]), byte = bytes[p + 1]
            p += 2
            if count > 0 {
                let run = x + count > width ? Swift.max(0, width - x) : count
                if fourBit {
                    for i in 0..<run { append(i % 2 == 0 ? byte >> 4 : byte & 15) }
                } else {
                    for _ in 0..<run { append(byte) }
                }
                x += run
                continue
            }
            switch byte {
            case 0:   // end of line
                while n % width != 0 { append(0) }
                x = 0
            case 1:   // end of bitmap
                break decoding
            case 2:   // delta
                guard p + 2 <= bytes.count else { break decoding }
                let right = Int(bytes[p]), up = Int(bytes[p + 1])
                p += 2
                let skip = right + up * width
                if n + skip >= total { n += skip; break decoding }
                n += skip
                x = n % width
            default:  // absolute run
                let length = Int(byte)
                let byteCount = fourBit ? length / 2 : length
                let available = Swift.min(byteCount, bytes.count - p)
                for i in 0..<available {
                    let v = bytes[p + i]
                    if fourBit { append(v >> 4); append(v & 15) } else { append(v) }
                }
                p += available
                if available < byteCount { break decoding }
                x += length
                if p % 2 != 0 { p += 1 }
            }
        }
        guard n >= total else { throw ImageError(.truncated, "BMP run-length data ends before the last row") }
        guard bottomUp else { return data }
        var rows = [UInt8](repeating: 0, count: total)
        for y in 0..<height {
            let src = (height - 1 - y) * width
            rows.replaceSubrange((y * width)..<((y + 1) * width), with: data[src..<(src + width)])
        }
        return rows
    }
}
