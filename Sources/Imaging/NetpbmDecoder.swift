/// Netpbm reading as Pillow's `PpmImagePlugin` does it: PBM (P1 text, P4 binary), PGM
/// (P2, P5) and PPM (P3, P6), any maxval up to 65535.
///
/// * PBM: a set bit (or the character `1`) is black, 0 is white.
/// * maxval 255 binary samples are taken as they are. Other maxvals scale each sample as
///   `round(v / maxval · M)` in Python float arithmetic (half to even), clamped to M,
///   where M = 255 for PPM and for PGM with maxval ≤ 255, and M = 65535 for PGM with
///   maxval > 255 — that 16-bit gray then goes through the `Gray16` clamp, like a 16-bit
///   PNG. A binary PGM with maxval 65535 is read unscaled (Pillow's `I;16B`).
/// * Text samples above maxval are an error, as in Pillow.
enum NetpbmDecoder {
    static func isNetpbm(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && "123456".utf8.contains(bytes[1])
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        guard isNetpbm(bytes) else { throw ImageError(.unsupported, "not a PBM/PGM/PPM file") }
        let kind = Int(bytes[1] - UInt8(ascii: "0"))
        let bilevel = kind == 1 || kind == 4, binary = kind >= 4
        let channels = kind == 3 || kind == 6 ? 3 : 1
        var p = 2
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        /// A header token; consumes the one whitespace byte after it, as Pillow does.
        func headerToken() throws -> Int {
            while p < bytes.count {
                if bytes[p] == UInt8(ascii: "#") {
                    while p < bytes.count && bytes[p] != 0x0A && bytes[p] != 0x0D { p += 1 }
                } else if isSpace(bytes[p]) {
                    p += 1
                } else { break }
            }
            let start = p
            while p < bytes.count, (0x30...0x39).contains(bytes[p]) { p += 1 }
            guard p > start, p - start <= 9, let value = Int(String(decoding: bytes[start..<p], as: UTF8.self)) else {
                throw ImageError(p >= bytes.count ? .truncated : .corrupt, "bad number in PBM/PGM/PPM header")
            }
            guard p < bytes.count, isSpace(bytes[p]) || bytes[p] == UInt8(ascii: "#") else {
                throw ImageError(p >= bytes.count ? .truncated : .corrupt, "bad number in PBM/PGM/PPM header")
            }
            if isSpace(bytes[p]) { p += 1 }
            return value
        }
        /// Skips whitespace and comments inside text pixel data.
        func skipSpace() {
            while p < bytes.count {
                if bytes[p] == UInt8(ascii: "#") {
                    while p < bytes.count && bytes[p] != 0x0A && bytes[p] != 0x0D { p += 1 }
                } else if isSpace(bytes[p]) { p += 1 } else { break }
            }
        }
        let width = try headerToken(), height = try headerToken()
        try limits.check(width: width, height: height)
        let pixels = width * height
        if bilevel {
            var gray = [UInt8](repeating: 0, count: pixels)
            if binary {
                let rowBytes = (width + 7) / 8
                guard p + rowBytes * height <= bytes.count else { throw ImageError(.truncated, "PBM pixel data is cut off") }
                for y in 0..<height {
                    PaletteExpansion.unpack(bytes, start: p + y * rowBytes, bits: 1, count: width, into: &gray, at: y * width)
                }
                for i in gray.indices { gray[i] = gray[i] == 0 ? 255 : 0 }
            } else {
                for i in 0..<pixels {
                    skipSpace()
                    guard p < bytes.count else { throw ImageError(.truncated, "PBM pixel data is cut off") }
                    guard bytes[p] == UInt8(ascii: "0") || bytes[p] == UInt8(ascii: "1") else {
                        throw ImageError(.corrupt, "invalid character in PBM pixel data")
                    }
                    gray[i] = bytes[p] == UInt8(ascii: "0") ? 255 : 0
                    p += 1
                }
            }
            return PaletteExpansion.rgb(gray: gray, width: width, height: height)
        }
        let maxValue = try headerToken()
        guard (1...65535).contains(maxValue) else { throw ImageError(.corrupt, "PGM/PPM maxval \(maxValue) is out of range") }
        let count = pixels * channels
        // Pillow's output scale: 16-bit for gray with maxval > 255, else 8-bit.
        let outMax = channels == 1 && maxValue > 255 ? 65535 : 255
        func scaled(_ v: Int) -> Int {
            if binary && (maxValue == 255 || (maxValue == 65535 && outMax == 65535)) { return v }
            return Swift.min(outMax, Int((Double(v) / Double(maxValue) * Double(outMax)).rounded(.toNearestOrEven)))
        }
        var samples = [UInt8](repeating: 0, count: count)
        if binary {
            let size = maxValue > 255 ? 2 : 1
            guard p + count * size <= bytes.count else { throw ImageError(.truncated, "PGM/PPM pixel data is cut off") }
            // Scaled values depend on the raw value only: a lookup table keeps this O(1) per sample.
            let table = (0..<(1 << (8 * size))).map { Gray16.level(outMax == 65535 ? scaled($0) : Swift.min(scaled($0), 255)) }
            for i in 0..<count {
                samples[i] = table[size == 1 ? Int(bytes[p + i]) : Int(bytes[p + 2 * i]) << 8 | Int(bytes[p + 2 * i + 1])]
            }
        } else {
            for i in 0..<count {
                skipSpace()
                let start = p
                while p < bytes.count, (0x30...0x39).contains(bytes[p]) { p += 1 }
                guard p > start else {
                    throw ImageError(p >= bytes.count ? .truncated : .corrupt, "PGM/PPM text pixel data is cut off or invalid")
                }
                guard p - start <= 10, p >= bytes.count || isSpace(bytes[p]) || bytes[p] == UInt8(ascii: "#"),
                      let value = Int(String(decoding: bytes[start..<p], as: UTF8.self)) else {
                    throw ImageError(.corrupt, "invalid PGM/PPM text sample")
                }
                guard value <= maxValue else { throw ImageError(.corrupt, "PGM/PPM sample \(value) exceeds maxval \(maxValue)") }
                samples[i] = Gray16.level(scaled(value))
            }
        }
        if channels == 1 { return PaletteExpansion.rgb(gray: samples, width: width, height: height) }
        return RGBImage(width: width, height: height, pixels: samples)
    }
}
