/// The pieces every palette and low-bit-depth format shares: unpacking 1-, 2- and 4-bit
/// samples packed MSB-first, and Pillow's `P → RGB` lookup.
enum PaletteExpansion {
    /// `count` samples of `bits` bits each (1, 2, 4 or 8), packed MSB-first from `start`.
    /// The caller has checked that `(count · bits + 7) / 8` bytes are there.
    @inline(__always)
    static func unpack(_ bytes: [UInt8], start: Int, bits: Int, count: Int, into out: inout [UInt8], at offset: Int) {
        switch bits {
        case 8:
            for x in 0..<count { out[offset + x] = bytes[start + x] }
        default:
            let perByte = 8 / bits, mask = UInt8((1 << bits) - 1)
            for x in 0..<count {
                let byte = bytes[start + x / perByte]
                let shift = 8 - bits * (x % perByte + 1)
                out[offset + x] = (byte >> UInt8(shift)) & mask
            }
        }
    }

    /// Palette indices through an RGB palette (`palette.count / 3` entries), as Pillow's
    /// `convert("RGB")` does: an index past the palette's last entry gives black.
    static func rgb(indices: [UInt8], palette: [UInt8], width: Int, height: Int) -> RGBImage {
        var table = [UInt8](repeating: 0, count: 768)
        for i in 0..<Swift.min(palette.count / 3 * 3, 768) { table[i] = palette[i] }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        table.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for (p, index) in indices.enumerated() {
                    let s = Int(index) * 3
                    o[3 * p] = t[s]; o[3 * p + 1] = t[s + 1]; o[3 * p + 2] = t[s + 2]
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Gray levels replicated to RGB (Pillow's `L → RGB`).
    static func rgb(gray: [UInt8], width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        out.withUnsafeMutableBufferPointer { o in
            for (p, g) in gray.enumerated() { o[3 * p] = g; o[3 * p + 1] = g; o[3 * p + 2] = g }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
