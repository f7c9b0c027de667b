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
    /// Only the outputs in `range` (default all) are computed: each output's weights
    /// depend on its index alone, so a part is exactly that part of the whole.
    static func coefficients(inSize: Int, outSize: Int, filter: ResamplingFilter,
                             range: Range<Int>? = nil) -> (starts: [Int], counts: [Int], weights: [[Int32]]) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = Swift.max(scale, 1)
        let support = filter.support * filterScale
        var starts: [Int] = [], counts: [Int] = [], weights: [[Int32]] = []
        for x in range ?? 0..<outSize {
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

    /// Pillow's `resize((width, height), filter)` followed by a crop to `columns` ×
    /// `rows`, computing only the cropped pixels (bit-identical to resizing everything
    /// and cropping): a resize target of billions of pixels of which a center crop keeps
    /// 448² costs the 448² pixels, not the billions.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResamplingFilter = .bicubic,
                        columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0 && columns.lowerBound >= 0 && columns.upperBound <= newWidth
                     && rows.lowerBound >= 0 && rows.upperBound <= newHeight && !columns.isEmpty && !rows.isEmpty,
                     "crop \(columns) x \(rows) of a resize to \(newWidth) x \(newHeight)")
        // Pillow: horizontal pass, then vertical; a pass whose size is unchanged is skipped.
        // The vertical pass reads only some input rows: the horizontal pass makes only those.
        var firstRow = rows.lowerBound, rowCount = rows.count
        if newHeight != height {
            let (starts, counts, _) = Self.coefficients(inSize: height, outSize: newHeight, filter: filter, range: rows)
            let used = zip(starts, counts).filter { $0.1 > 0 }
            firstRow = used.map(\.0).min() ?? 0
            rowCount = Swift.max((used.map { $0.0 + $0.1 }.max() ?? 1) - firstRow, 1)
        }
        var source = cropped(left: 0, top: firstRow, width: width, height: rowCount)
        source = newWidth != width
            ? source.resampledHorizontally(to: newWidth, filter: filter, columns: columns)
            : source.cropped(left: columns.lowerBound, top: 0, width: columns.count, height: rowCount)
        guard newHeight != height else { return source }
        return source.resampledVertically(to: newHeight, filter: filter, rows: rows, inputHeight: height, firstInputRow: firstRow)
    }

    func resampledHorizontally(to newWidth: Int, filter: ResamplingFilter) -> RGBImage {
        resampledHorizontally(to: newWidth, filter: filter, columns: 0..<newWidth)
    }

    /// Output columns `columns` of a horizontal resize to `newWidth` (as an image
    /// `columns.count` wide).
    func resampledHorizontally(to fullWidth: Int, filter: ResamplingFilter, columns: Range<Int>) -> RGBImage {
        let newWidth = columns.count
        let (starts, counts, weights) = Self.coefficients(inSize: width, outSize: fullWidth, filter: filter, range: columns)
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
        resampledVertically(to: newHeight, filter: filter, rows: 0..<newHeight, inputHeight: height, firstInputRow: 0)
    }

    /// Output rows `rows` of a vertical resize of an image `inputHeight` tall to
    /// `fullHeight`, of which this image holds the input rows from `firstInputRow` on.
    func resampledVertically(to fullHeight: Int, filter: ResamplingFilter, rows: Range<Int>, inputHeight: Int,
                             firstInputRow: Int) -> RGBImage {
        let newHeight = rows.count
        var (starts, counts, weights) = Self.coefficients(inSize: inputHeight, outSize: fullHeight, filter: filter, range: rows)
        for i in starts.indices { starts[i] -= firstInputRow }
        precondition(zip(starts, counts).allSatisfy { $0.1 == 0 || ($0.0 >= 0 && $0.0 + $0.1 <= height) }, "rows outside the source")
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
