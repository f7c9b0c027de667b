/// PNG decoding: signature, chunks (CRC-checked), IHDR / PLTE / tRNS / IDAT / IEND,
/// zlib inflate, the five row filters and Adam7 interlacing, for every colour type
/// (gray, RGB, palette, gray + alpha, RGBA) and bit depth (1, 2, 4, 8, 16).
enum PNGDecoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The decoded samples before any conversion.
    struct Decoded {
        var width: Int, height: Int
        var colorType: Int, bitDepth: Int
        /// One value per sample (channels per pixel × pixels), at the file's bit depth.
        var samples: [UInt16]
        var palette: [UInt8]
        var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> Decoded {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw ImageError(.unsupported, "not a PNG file") }
        var position = 8
        var header: (width: Int, height: Int, depth: Int, color: Int, interlaced: Bool)?
        var palette: [UInt8] = []
        var idat: [UInt8] = []
        var sawEnd = false
        while !sawEnd {
            guard position + 12 <= bytes.count else { throw ImageError(.truncated, "PNG ends before IEND") }
            let length = bytes[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard length <= 0x7FFF_FFFF, position + 12 + length <= bytes.count else {
                throw ImageError(.truncated, "PNG chunk \(type) runs past the end of the file")
            }
            let data = Array(bytes[(position + 8)..<(position + 8 + length)])
            let storedCRC = bytes[(position + 8 + length)..<(position + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard CRC32.checksum(bytes[(position + 4)..<(position + 8 + length)]) == storedCRC else {
                throw ImageError(.corrupt, "PNG chunk \(type) fails its CRC check")
            }
            position += 12 + length
            switch type {
            case "IHDR":
                guard header == nil, length == 13 else { throw ImageError(.corrupt, "bad IHDR chunk") }
                let width = data[0..<4].reduce(0) { $0 << 8 | Int($1) }
                let height = data[4..<8].reduce(0) { $0 << 8 | Int($1) }
                let depth = Int(data[8]), color = Int(data[9])
                let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard let depths = allowed[color], depths.contains(depth) else {
                    throw ImageError(.corrupt, "invalid PNG colour type \(color) with bit depth \(depth)")
                }
                guard data[10] == 0, data[11] == 0, data[12] <= 1 else {
                    throw ImageError(.unsupported, "unknown PNG compression, filter or interlace method")
                }
                try limits.check(width: width, height: height)
                header = (width, height, depth, color, data[12] == 1)
            case "PLTE":
                guard length % 3 == 0, length <= 768, length > 0 else { throw ImageError(.corrupt, "bad PLTE chunk") }
                palette = data
            case "IDAT":
                guard header != nil else { throw ImageError(.corrupt, "IDAT before IHDR") }
                idat += data
            case "IEND":
                sawEnd = true
            default:
                // Critical chunks we do not know make the image undecodable.
                if let first = type.utf8.first, first & 0x20 == 0 {
                    throw ImageError(.unsupported, "unknown critical PNG chunk \(type)")
                }
            }
        }
        guard let h = header else { throw ImageError(.corrupt, "PNG has no IHDR") }
        if h.color == 3 && palette.isEmpty { throw ImageError(.corrupt, "palette image without PLTE") }
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][h.color]!
        let bitsPerPixel = channels * h.depth
        // Total filtered bytes over all passes: the inflate output must be exactly this.
        let passes = h.interlaced ? adam7 : [(0, 0, 1, 1)]
        var expected = 0
        var passSizes: [(Int, Int)] = []
        for (x0, y0, dx, dy) in passes {
            let pw = h.width > x0 ? (h.width - x0 + dx - 1) / dx : 0
            let ph = h.height > y0 ? (h.height - y0 + dy - 1) / dy : 0
            passSizes.append((pw, ph))
            if pw > 0 && ph > 0 { expected += ph * (1 + (pw * bitsPerPixel + 7) / 8) }
        }
        let raw = try Inflate.zlib(idat, limit: expected)
        guard raw.count == expected else {
            throw ImageError(.truncated, "PNG image data holds \(raw.count) bytes, \(expected) expected")
        }
        var samples = [UInt16](repeating: 0, count: h.width * h.height * channels)
        var offset = 0
        for (pass, (x0, y0, dx, dy)) in passes.enumerated() {
            let (pw, ph) = passSizes[pass]
            if pw == 0 || ph == 0 { continue }
            let rowBytes = (pw * bitsPerPixel + 7) / 8
            let filterUnit = Swift.max(1, bitsPerPixel / 8)
            var previous = [UInt8](repeating: 0, count: rowBytes)
            var row = [UInt8](repeating: 0, count: rowBytes)
            for y in 0..<ph {
                let filter = raw[offset]
                for i in 0..<rowBytes { row[i] = raw[offset + 1 + i] }
                offset += 1 + rowBytes
                try unfilter(&row, previous, filter: filter, unit: filterUnit)
                // Unpack samples of this row into their pixels.
                for x in 0..<pw {
                    let pixelIndex = ((y0 + y * dy) * h.width + (x0 + x * dx)) * channels
                    for c in 0..<channels {
                        let sampleIndex = x * channels + c
                        let value: UInt16
                        switch h.depth {
                        case 16: value = UInt16(row[2 * sampleIndex]) << 8 | UInt16(row[2 * sampleIndex + 1])
                        case 8: value = UInt16(row[sampleIndex])
                        default:
                            let bit = sampleIndex * h.depth
                            let shift = 8 - h.depth - bit % 8
                            value = UInt16((row[bit / 8] >> UInt8(shift)) & UInt8((1 << h.depth) - 1))
                        }
                        samples[pixelIndex + c] = value
                    }
                }
                swap(&previous, &row)
            }
        }
        return Decoded(width: h.width, height: h.height, colorType: h.color, bitDepth: h.depth, samples: samples, palette: palette)
    }

    /// Adam7 passes: (first column, first row, column step, row step).
    static let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

    static func unfilter(_ row: inout [UInt8], _ previous: [UInt8], filter: UInt8, unit: Int) throws {
        let n = row.count
        switch filter {
        case 0: return
        case 1: for i in unit..<Swift.max(n, unit) where i < n { row[i] = row[i] &+ row[i - unit] }
        case 2: for i in 0..<n { row[i] = row[i] &+ previous[i] }
        case 3:
            for i in 0..<n {
                let left = i >= unit ? Int(row[i - unit]) : 0
                row[i] = row[i] &+ UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0..<n {
                let a = i >= unit ? Int(row[i - unit]) : 0
                let b = Int(previous[i])
                let c = i >= unit ? Int(previous[i - unit]) : 0
                let p = a + b - c
                let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                let predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                row[i] = row[i] &+ UInt8(predictor)
            }
        default:
            throw ImageError(.corrupt, "invalid PNG filter type \(filter)")
        }
    }

    /// 8-bit RGB exactly as Pillow's `Image.open(png).convert("RGB")` gives it:
    /// gray replicated (1-bit as 0/255; 2- and 4-bit scaled by 85 and 17; 16-bit clamped to
    /// 255, as Pillow's I;16 → L conversion does), 16-bit colour narrowed to its high byte,
    /// alpha dropped (not composited), palette indices looked up (entries past the palette
    /// are black). A tRNS chunk does not change the colours.
    static func toRGB(_ d: Decoded) -> RGBImage {
        var out = [UInt8](repeating: 0, count: d.width * d.height * 3)
        let pixelCount = d.width * d.height
        let channels = d.channels
        func gray(_ v: UInt16) -> UInt8 {
            switch d.bitDepth {
            case 1: return v == 0 ? 0 : 255
            case 2: return UInt8(v * 85)
            case 4: return UInt8(v * 17)
            case 8: return UInt8(v)
            default: return Gray16.level(Int(v))   // the shared 16-bit gray rule
            }
        }
        func narrow(_ v: UInt16) -> UInt8 { d.bitDepth == 16 ? UInt8(v >> 8) : UInt8(v) }
        for p in 0..<pixelCount {
            let s = p * channels
            switch d.colorType {
            case 0:
                let g = gray(d.samples[s])
                out[p * 3] = g; out[p * 3 + 1] = g; out[p * 3 + 2] = g
            case 4:
                let g = narrow(d.samples[s])
                out[p * 3] = g; out[p * 3 + 1] = g; out[p * 3 + 2] = g
            case 3:
                let index = Int(d.samples[s]) * 3
                if index + 2 < d.palette.count {
                    out[p * 3] = d.palette[index]; out[p * 3 + 1] = d.palette[index + 1]; out[p * 3 + 2] = d.palette[index + 2]
                }
            default:
                out[p * 3] = narrow(d.samples[s]); out[p * 3 + 1] = narrow(d.samples[s + 1]); out[p * 3 + 2] = narrow(d.samples[s + 2])
            }
        }
        return RGBImage(width: d.width, height: d.height, pixels: out)
    }
}

/// CRC-32 (ISO 3309, as PNG and zlib use it).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
