/// The four inverse transforms of the lossless format (RFC 9649 §4), as libwebp applies
/// them: spatial prediction (14 predictors per tile, the first row predicted from the
/// left and the first column from above), cross-colour, add-green and colour indexing
/// (palette lookup with 1, 2 or 4 bits per index packed into green).
struct VP8LTransform {
    enum Kind { case predictor, crossColor, subtractGreen, colorIndexing }
    let kind: Kind
    /// Width of the image the transform applies to (before colour-index packing).
    let width: Int
    let bits: Int
    /// Tile modes / multipliers (sub-sampled image) or the expanded palette.
    let data: [UInt32]

    @inline(__always) static func addPixels(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let ag = (a & 0xFF00_FF00) &+ (b & 0xFF00_FF00)
        let rb = (a & 0x00FF_00FF) &+ (b & 0x00FF_00FF)
        return (ag & 0xFF00_FF00) | (rb & 0x00FF_00FF)
    }
    @inline(__always) static func average2(_ a: UInt32, _ b: UInt32) -> UInt32 {
        (((a ^ b) & 0xFEFE_FEFE) >> 1) &+ (a & b)
    }
    @inline(__always) static func clip255(_ v: Int) -> UInt32 { v < 0 ? 0 : v > 255 ? 255 : UInt32(v) }
    @inline(__always) static func channel(_ c: UInt32, _ shift: UInt32) -> Int { Int((c >> shift) & 0xFF) }

    /// Select predictor: `top` or `left`, whichever is closer to the gradient estimate.
    @inline(__always) static func select(_ t: UInt32, _ l: UInt32, _ tl: UInt32) -> UInt32 {
        var d = 0
        for shift: UInt32 in [24, 16, 8, 0] {
            let a = channel(t, shift), b = channel(l, shift), c = channel(tl, shift)
            d += abs(b - c) - abs(a - c)
        }
        return d <= 0 ? t : l
    }
    @inline(__always) static func clampedAddSubtractFull(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32) -> UInt32 {
        var out: UInt32 = 0
        for shift: UInt32 in [24, 16, 8, 0] {
            out |= clip255(channel(c0, shift) + channel(c1, shift) - channel(c2, shift)) << shift
        }
        return out
    }
    @inline(__always) static func clampedAddSubtractHalf(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32) -> UInt32 {
        let ave = average2(c0, c1)
        var out: UInt32 = 0
        for shift: UInt32 in [24, 16, 8, 0] {
            let a = channel(ave, shift), b = channel(c2, shift)
            out |= clip255(a + (a - b) / 2) << shift
        }
        return out
    }

    /// Predictor `mode` for the pixel at `p` (left is `p - 1`, top row at `p - width`).
    @inline(__always) static func predict(_ mode: Int, _ p: UnsafeMutablePointer<UInt32>, _ width: Int) -> UInt32 {
        let left = p[-1], top = p - width
        switch mode {
        case 1: return left
        case 2: return top[0]
        case 3: return top[1]
        case 4: return top[-1]
        case 5: return average2(average2(left, top[1]), top[0])
        case 6: return average2(left, top[-1])
        case 7: return average2(left, top[0])
        case 8: return average2(top[-1], top[0])
        case 9: return average2(top[0], top[1])
        case 10: return average2(average2(left, top[-1]), average2(top[0], top[1]))
        case 11: return select(top[0], left, top[-1])
        case 12: return clampedAddSubtractFull(left, top[0], top[-1])
        case 13: return clampedAddSubtractHalf(left, top[0], top[-1])
        default: return 0xFF00_0000   // 0, and 14, 15 as libwebp pads them
        }
    }

    /// Applies the inverse transform to `pixels` (`height` rows of the transform's output
    /// width), in place; colour indexing replaces them with the wider unpacked image.
    func inverse(_ pixels: inout [UInt32], height: Int) {
        switch kind {
        case .predictor: inversePredictor(&pixels, height: height)
        case .crossColor: inverseCrossColor(&pixels, height: height)
        case .subtractGreen:
            pixels.withUnsafeMutableBufferPointer { p in
                for i in p.indices {
                    let argb = p[i]
                    let green = (argb >> 8) & 0xFF
                    let rb = ((argb & 0x00FF_00FF) &+ (green << 16 | green)) & 0x00FF_00FF
                    p[i] = argb & 0xFF00_FF00 | rb
                }
            }
        case .colorIndexing: pixels = inverseColorIndexing(pixels, height: height)
        }
    }

    private func inversePredictor(_ out: inout [UInt32], height: Int) {
        let w = width
        let tilesPerRow = VP8LDecoder.subsampleSize(w, bits)
        out.withUnsafeMutableBufferPointer { o in
            let p = o.baseAddress!
            p[0] = Self.addPixels(p[0], 0xFF00_0000)
            if w > 1 { for x in 1..<w { p[x] = Self.addPixels(p[x], p[x - 1]) } }
            if height > 1 {
                for y in 1..<height {
                    let row = p + y * w
                    row[0] = Self.addPixels(row[0], row[-w])
                    let modes = (y >> bits) * tilesPerRow
                    var x = 1
                    while x < w {
                        let mode = Int((data[modes + (x >> bits)] >> 8) & 0xF)
                        let end = min((x & ~((1 << bits) - 1)) + (1 << bits), w)
                        while x < end {
                            row[x] = Self.addPixels(row[x], Self.predict(mode, row + x, w))
                            x += 1
                        }
                    }
                }
            }
        }
    }

    @inline(__always) static func colorDelta(_ pred: UInt32, _ color: Int) -> Int {
        (Int(Int8(truncatingIfNeeded: pred)) * color) >> 5
    }

    private func inverseCrossColor(_ out: inout [UInt32], height: Int) {
        let w = width
        let tilesPerRow = VP8LDecoder.subsampleSize(w, bits)
        data.withUnsafeBufferPointer { multipliers in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    let row = o.baseAddress! + y * w
                    let tiles = multipliers.baseAddress! + (y >> bits) * tilesPerRow
                    var x = 0
                    while x < w {
                        let m = tiles[x >> bits]
                        let greenToRed = m & 0xFF, greenToBlue = (m >> 8) & 0xFF, redToBlue = (m >> 16) & 0xFF
                        let end = min((x | ((1 << bits) - 1)) + 1, w)
                        while x < end {
                            let argb = row[x]
                            let green = Int(Int8(truncatingIfNeeded: argb >> 8))
                            var red = Int((argb >> 16) & 0xFF), blue = Int(argb & 0xFF)
                            red = (red + Self.colorDelta(greenToRed, green)) & 0xFF
                            blue += Self.colorDelta(greenToBlue, green)
                            blue += Self.colorDelta(redToBlue, Int(Int8(truncatingIfNeeded: red)))
                            blue &= 0xFF
                            row[x] = (argb & 0xFF00_FF00) | UInt32(red) << 16 | UInt32(blue)
                            x += 1
                        }
                    }
                }
            }
        }
    }

    private func inverseColorIndexing(_ input: [UInt32], height: Int) -> [UInt32] {
        let w = width
        let packedWidth = VP8LDecoder.subsampleSize(w, bits)
        var out = [UInt32](repeating: 0, count: w * height)
        let bitsPerPixel = 8 >> bits
        let countMask = (1 << bits) - 1
        let bitMask = UInt32((1 << bitsPerPixel) - 1)
        for y in 0..<height {
            var packed: UInt32 = 0
            var src = y * packedWidth
            for x in 0..<w {
                if x & countMask == 0 {
                    packed = (input[src] >> 8) & 0xFF
                    src += 1
                }
                out[y * w + x] = data[Int(packed & bitMask)]
                packed >>= UInt32(bitsPerPixel)
            }
        }
        return out
    }
}
