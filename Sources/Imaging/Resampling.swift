import Tensor

/// Pillow's `Image.resize` for 8-bit RGB, reproduced exactly (`Resample.c`): separable
/// passes (horizontal, then vertical; a pass is skipped when that size is unchanged),
/// filter support widened by the scale when shrinking (antialiasing), weights in double
/// normalised to sum 1, then converted to 22-bit fixed point, and 8-bit rounding between
/// the passes.
public enum ResamplingFilter: Int, Sendable {
    /// PIL `Image.BILINEAR` (2): triangle filter, support 1.
    case bilinear = 2
    /// PIL `Image.BICUBIC` (3): Keys cubic with a = −0.5, support 2.
    case bicubic = 3

    var support: Double { self == .bilinear ? 1 : 2 }

    func weight(_ x: Double) -> Double {
        let x = Swift.abs(x)
        switch self {
        case .bilinear: return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

extension RGBImage {
    /// This image resized to `width` × `height` as Pillow's `resize((width, height), filter)`.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResamplingFilter = .bicubic) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth) x \(newHeight)")
        var current = self
        if newWidth != width { current = current.resampledHorizontally(to: newWidth, filter: filter) }
        if newHeight != height { current = current.resampledVertically(to: newHeight, filter: filter) }
        return current
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`: for each output index, the
    /// first input index and the fixed-point weights.
    static func coefficients(inSize: Int, outSize: Int, filter: ResamplingFilter) -> (starts: [Int], counts: [Int], weights: [[Int32]]) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = Swift.max(scale, 1)
        let support = filter.support * filterScale
        var starts: [Int] = [], counts: [Int] = [], weights: [[Int32]] = []
        for x in 0..<outSize {
            let center = (Double(x) + 0.5) * scale
            // C casts truncate toward zero.
            var xmin = Int((center - support + 0.5).rounded(.towardZero))
            if xmin < 0 { xmin = 0 }
            var xmax = Int((center + support + 0.5).rounded(.towardZero))
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var k = [Double](repeating: 0, count: Swift.max(xmax, 0))
            var total = 0.0
            for i in 0..<Swift.max(xmax, 0) {
                let w = filter.weight((Double(i + xmin) - center + 0.5) / filterScale)
                k[i] = w
                total += w
            }
            let fixed: [Int32] = k.map { w in
                let normalised = total != 0 ? w / total : w
                let scaled = normalised * Double(1 << 22)
                return Int32((scaled < 0 ? scaled - 0.5 : scaled + 0.5).rounded(.towardZero))
            }
            starts.append(xmin)
            counts.append(Swift.max(xmax, 0))
            weights.append(fixed)
        }
        return (starts, counts, weights)
    }

    @inline(__always) static func clip8(_ v: Int32) -> UInt8 {
        let shifted = v >> 22
        return shifted < 0 ? 0 : shifted > 255 ? 255 : UInt8(shifted)
    }

    func resampledHorizontally(to newWidth: Int, filter: ResamplingFilter) -> RGBImage {
        let (starts, counts, weights) = Self.coefficients(inSize: width, outSize: newWidth, filter: filter)
        var out = [UInt8](repeating: 0, count: newWidth * height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                parallelFor(height, grain: Swift.max(1, 65536 / Swift.max(newWidth * 8, 1))) { rows in
                    for y in rows {
                        let row = src.baseAddress! + y * width * 3
                        for x in 0..<newWidth {
                            var r: Int32 = 1 << 21, g: Int32 = 1 << 21, b: Int32 = 1 << 21
                            let k = weights[x]
                            var p = row + starts[x] * 3
                            for i in 0..<counts[x] {
                                r &+= Int32(p[0]) &* k[i]; g &+= Int32(p[1]) &* k[i]; b &+= Int32(p[2]) &* k[i]
                                p += 3
                            }
                            let o = (y * newWidth + x) * 3
                            dst[o] = Self.clip8(r); dst[o + 1] = Self.clip8(g); dst[o + 2] = Self.clip8(b)
                        }
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: height, pixels: out)
    }

    func resampledVertically(to newHeight: Int, filter: ResamplingFilter) -> RGBImage {
        let (starts, counts, weights) = Self.coefficients(inSize: height, outSize: newHeight, filter: filter)
        var out = [UInt8](repeating: 0, count: width * newHeight * 3)
        let rowBytes = width * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                parallelFor(newHeight, grain: Swift.max(1, 65536 / Swift.max(rowBytes * 4, 1))) { rows in
                    var accumulator = [Int32](repeating: 0, count: rowBytes)
                    for y in rows {
                        for i in 0..<rowBytes { accumulator[i] = 1 << 21 }
                        let k = weights[y]
                        for j in 0..<counts[y] {
                            let row = src.baseAddress! + (starts[y] + j) * rowBytes
                            let w = k[j]
                            for i in 0..<rowBytes { accumulator[i] &+= Int32(row[i]) &* w }
                        }
                        let o = dst.baseAddress! + y * rowBytes
                        for i in 0..<rowBytes { o[i] = Self.clip8(accumulator[i]) }
                    }
                }
            }
        }
        return RGBImage(width: width, height: newHeight, pixels: out)
    }
}
