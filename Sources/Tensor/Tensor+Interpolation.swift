/// Resizing of `[N, C, H, W]` grids the way `torch.nn.functional.interpolate` does it.
extension Tensor where Scalar == Float {
    /// Bicubic resize to `height` × `width`, exactly PyTorch's
    /// `F.interpolate(x, size=(height, width), mode="bicubic", align_corners=False)`
    /// (antialias off): Keys' cubic with A = −0.75, source coordinate
    /// `(d + 0.5)·(in/out) − 0.5` with the scale in float32, the four taps clamped to the
    /// edge, weights computed in float32, rows interpolated along W first, then along H.
    /// This is not PIL's bicubic (A = −0.5, support widened when shrinking).
    public func bicubicResized(height: Int, width: Int) -> Tensor {
        precondition(rank == 4, "bicubicResized wants [N, C, H, W], got \(shape)")
        precondition(height > 0 && width > 0, "bicubicResized to \(height) x \(width)")
        let (n, c, inH, inW) = (shape[0], shape[1], shape[2], shape[3])
        precondition(inH > 0 && inW > 0, "bicubicResized of an empty grid \(shape)")
        let rows = BicubicTaps(input: inH, output: height)
        let columns = BicubicTaps(input: inW, output: width)
        let source = contiguous()
        var result = Tensor.zeros([n, c, height, width])
        source.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                parallelFor(n * c, grain: Swift.max(1, 4096 / Swift.max(height * width, 1))) { planes in
                    var value = [Float](repeating: 0, count: width)
                    for plane in planes {
                        let input = s + plane * inH * inW
                        let output = d + plane * height * width
                        for y in 0..<height {
                            for i in 0..<4 {
                                let row = input + rows.index[y * 4 + i] * inW
                                let wy = rows.weight[y * 4 + i]
                                for x in 0..<width {
                                    // Along W: ((t0·w0 + t1·w1) + t2·w2) + t3·w3, as PyTorch sums.
                                    var t = row[columns.index[x * 4]] * columns.weight[x * 4]
                                    for j in 1..<4 { t += row[columns.index[x * 4 + j]] * columns.weight[x * 4 + j] }
                                    value[x] = i == 0 ? t * wy : value[x] + t * wy
                                }
                            }
                            for x in 0..<width { output[y * width + x] = value[x] }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// The four source indices (clamped) and cubic weights of every output position along
/// one axis, as PyTorch's `compute_indices_weights_cubic` computes them.
struct BicubicTaps {
    var index: [Int]
    var weight: [Float]

    init(input: Int, output: Int) {
        let a: Float = -0.75
        let scale = Float(input) / Float(output)
        index = []
        weight = []
        for d in 0..<output {
            let real = scale * (Float(d) + 0.5) - 0.5
            let base = Swift.min(Int(real.rounded(.down)), input - 1)
            let t = Swift.min(Swift.max(real - Float(base), 0), 1)
            // cubic_convolution2 for |x| in (1, 2), cubic_convolution1 for |x| ≤ 1.
            func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            weight += [far(t + 1), near(t), near(1 - t), far(2 - t)]
            for j in -1...2 { index.append(Swift.min(Swift.max(base + j, 0), input - 1)) }
        }
    }
}
