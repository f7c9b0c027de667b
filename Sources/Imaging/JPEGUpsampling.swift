import Tensor

/// Chroma upsampling as libjpeg-turbo does it with `do_fancy_upsampling` on (its
/// default, which Pillow keeps): triangular ("fancy") filters for 2×1, 2×2 and 1×2
/// subsampling (2×1 and 2×2 only when the component is wider than 2 samples), plain
/// replication for every other ratio. Rows above the first and below the last real row
/// repeat the edge row, as libjpeg's context rows do.
enum JPEGUpsampling {
    /// The component as a full-resolution `frame.width` × `frame.height` plane.
    static func fullSize(_ plane: [UInt8], _ c: JPEGDecoder.Component, frame f: JPEGDecoder.Frame) -> [UInt8] {
        let stride = c.blocksPerLine * 8
        let hScale = f.hMax / c.h, vScale = f.vMax / c.v
        let w = c.width, h = c.height
        var out = [UInt8](repeating: 0, count: f.width * f.height)
        func sample(_ x: Int, _ y: Int) -> Int { Int(plane[y * stride + x]) }
        if hScale == 1 && vScale == 1 {
            for y in 0..<f.height {
                for x in 0..<f.width { out[y * f.width + x] = plane[y * stride + x] }
            }
        } else if hScale == 2 && vScale == 1 && w > 2 {
            var row = [UInt8](repeating: 0, count: 2 * w)   // one upsampled row, reused
            for y in 0..<f.height {
                row[0] = UInt8(sample(0, y))
                row[1] = UInt8((sample(0, y) * 3 + sample(1, y) + 2) >> 2)
                for x in 1..<(w - 1) {
                    let v = sample(x, y) * 3
                    row[2 * x] = UInt8((v + sample(x - 1, y) + 1) >> 2)
                    row[2 * x + 1] = UInt8((v + sample(x + 1, y) + 2) >> 2)
                }
                row[2 * w - 2] = UInt8((sample(w - 1, y) * 3 + sample(w - 2, y) + 1) >> 2)
                row[2 * w - 1] = UInt8(sample(w - 1, y))
                for x in 0..<f.width { out[y * f.width + x] = row[x] }
            }
        } else if hScale == 2 && vScale == 2 && w > 2 {
            var row = [UInt8](repeating: 0, count: 2 * w)   // one upsampled row, reused
            for y in 0..<f.height {
                let inRow = y / 2
                let other = y % 2 == 0 ? Swift.max(inRow - 1, 0) : Swift.min(inRow + 1, h - 1)
                func colSum(_ x: Int) -> Int { sample(x, inRow) * 3 + sample(x, other) }
                var this = colSum(0), next = colSum(1)
                row[0] = UInt8((this * 4 + 8) >> 4)
                row[1] = UInt8((this * 3 + next + 7) >> 4)
                var last = this
                this = next
                for x in 1..<(w - 1) {
                    next = colSum(x + 1)
                    row[2 * x] = UInt8((this * 3 + last + 8) >> 4)
                    row[2 * x + 1] = UInt8((this * 3 + next + 7) >> 4)
                    last = this
                    this = next
                }
                row[2 * w - 2] = UInt8((this * 3 + last + 8) >> 4)
                row[2 * w - 1] = UInt8((this * 4 + 7) >> 4)
                for x in 0..<f.width { out[y * f.width + x] = row[x] }
            }
        } else if hScale == 1 && vScale == 2 {
            for y in 0..<f.height {
                let inRow = y / 2
                let other = y % 2 == 0 ? Swift.max(inRow - 1, 0) : Swift.min(inRow + 1, h - 1)
                let bias = y % 2 == 0 ? 1 : 2
                for x in 0..<f.width {
                    out[y * f.width + x] = UInt8((sample(x, inRow) * 3 + sample(x, other) + bias) >> 2)
                }
            }
        } else {
            for y in 0..<f.height {
                for x in 0..<f.width { out[y * f.width + x] = plane[(y / vScale) * stride + x / hScale] }
            }
        }
        return out
    }
}

/// libjpeg's colour conversion (jdcolor.c `ycc_rgb_convert`): 16-bit fixed point tables.
enum JPEGColor {
    static let scaleBits = 16
    static let half = 1 << 15
    static func fix(_ x: Double) -> Int { Int(x * Double(1 << scaleBits) + 0.5) }
    static let crR: [Int] = (0..<256).map { (fix(1.40200) * ($0 - 128) + half) >> scaleBits }
    static let cbB: [Int] = (0..<256).map { (fix(1.77200) * ($0 - 128) + half) >> scaleBits }
    static let crG: [Int] = (0..<256).map { -fix(0.71414) * ($0 - 128) }
    static let cbG: [Int] = (0..<256).map { -fix(0.34414) * ($0 - 128) + half }

    @inline(__always) static func clamp(_ v: Int) -> UInt8 { UInt8(Swift.min(Swift.max(v, 0), 255)) }

    static func ycbcrToRGB(_ planes: [[UInt8]], width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let y = planes[0], cb = planes[1], cr = planes[2]
        out.withUnsafeMutableBufferPointer { o in
            parallelFor(height, grain: 64) { rows in
                for row in rows {
                    for i in (row * width)..<((row + 1) * width) {
                        let l = Int(y[i]), b = Int(cb[i]), r = Int(cr[i])
                        o[3 * i] = clamp(l + crR[r])
                        o[3 * i + 1] = clamp(l + ((cbG[b] + crG[r]) >> scaleBits))
                        o[3 * i + 2] = clamp(l + cbB[b])
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    static func interleave(_ planes: [[UInt8]], width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            out[3 * i] = planes[0][i]; out[3 * i + 1] = planes[1][i]; out[3 * i + 2] = planes[2][i]
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    static func gray(_ plane: [UInt8], width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { out[3 * i] = plane[i]; out[3 * i + 1] = plane[i]; out[3 * i + 2] = plane[i] }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

/// The orientation tag of an EXIF block (TIFF IFD0, tag 0x0112), bounds-checked.
enum EXIF {
    static func orientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        if tiff[0] == 0x49 && tiff[1] == 0x49 { little = true } else if tiff[0] == 0x4D && tiff[1] == 0x4D { little = false } else { return nil }
        func u16(_ p: Int) -> Int? {
            guard p >= 0, p + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[p]) | Int(tiff[p + 1]) << 8 : Int(tiff[p]) << 8 | Int(tiff[p + 1])
        }
        func u32(_ p: Int) -> Int? {
            guard let a = u16(p), let b = u16(p + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let p = ifd + 2 + entry * 12
            guard let tag = u16(p) else { return nil }
            if tag == 0x0112, let value = u16(p + 8), (1...8).contains(value) { return value }
        }
        return nil
    }
}
