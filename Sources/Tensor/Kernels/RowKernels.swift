/// Kernels that work on whole rows (the last axis of a dense tensor): softmax, layer
/// norm and RMS norm. Each row is independent, so rows are split across threads; inside
/// a row everything is vectorised with 16-lane accumulators.
enum RowKernels {
    /// Stable softmax of each of `rows` rows of length `n`: e^(x − max) / Σ e^(x − max).
    /// The max is subtracted first, so ±1e4 inputs neither overflow nor vanish; a row
    /// that is entirely −∞ gives NaN, as in PyTorch.
    static func softmax(_ x: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        parallelFor(rows, grain: Swift.max(1, Grain.transcendental / Swift.max(n, 1))) { range in
            for row in range {
                softmaxRow(x + row * n, n, out + row * n)
            }
        }
    }

    /// One softmax row; `out` may alias `x`.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        let rowMax = ReductionKernels.reduceRow(MaxReduction.self, x, n)
        let vmax = Vector(repeating: rowMax)
        var vsum = Vector()
        var i = 0
        while i + vectorWidth <= n {
            let e = VectorMath.exp(loadVector(x + i) - vmax)
            storeVector(e, out + i)
            vsum += e
            i += vectorWidth
        }
        var total = vsum.sum()
        while i < n {
            let e = ExpOp.apply(x[i] - rowMax)
            out[i] = e
            total += e
            i += 1
        }
        let scale = Vector(repeating: 1 / total)
        i = 0
        while i + vectorWidth <= n {
            storeVector(loadVector(out + i) * scale, out + i)
            i += vectorWidth
        }
        while i < n { out[i] *= scale[0]; i += 1 }
    }

    /// Layer norm of each row: (x − mean)/√(var + ε)·w + b, population variance, two
    /// passes. `weight`/`bias` have `n` elements or are nil (no affine part).
    static func layerNorm(
        _ x: UnsafePointer<Float>, rows: Int, n: Int,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        parallelFor(rows, grain: Swift.max(1, Grain.cheap / Swift.max(n, 1))) { range in
            for row in range {
                let src = x + row * n, dst = out + row * n
                let mean = ReductionKernels.reduceRow(SumReduction.self, src, n) / Float(n)
                let vmean = Vector(repeating: mean)
                var acc = Vector()
                var i = 0
                while i + vectorWidth <= n {
                    let d = loadVector(src + i) - vmean
                    acc = acc.addingProduct(d, d)
                    i += vectorWidth
                }
                var squares = acc.sum()
                while i < n { let d = src[i] - mean; squares += d * d; i += 1 }
                let rstd = 1 / (squares / Float(n) + epsilon).squareRoot()
                affineRow(src, n, mean: mean, scale: rstd, weight: weight, bias: bias, dst)
            }
        }
    }

    /// RMS norm of each row: x/√(mean(x²) + ε)·w (no mean subtraction, no bias), as
    /// `InternRMSNorm` and T5/LLaMA's RMSNorm compute it.
    static func rmsNorm(
        _ x: UnsafePointer<Float>, rows: Int, n: Int,
        weight: UnsafePointer<Float>?, epsilon: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        parallelFor(rows, grain: Swift.max(1, Grain.cheap / Swift.max(n, 1))) { range in
            for row in range {
                let src = x + row * n, dst = out + row * n
                var acc = Vector()
                var i = 0
                while i + vectorWidth <= n {
                    let v = loadVector(src + i)
                    acc = acc.addingProduct(v, v)
                    i += vectorWidth
                }
                var squares = acc.sum()
                while i < n { squares += src[i] * src[i]; i += 1 }
                let rstd = 1 / (squares / Float(n) + epsilon).squareRoot()
                affineRow(src, n, mean: 0, scale: rstd, weight: weight, bias: nil, dst)
            }
        }
    }

    /// dst = (src − mean)·scale, then ·weight and +bias when given.
    @inline(__always)
    private static func affineRow(
        _ src: UnsafePointer<Float>, _ n: Int, mean: Float, scale: Float,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>
    ) {
        let vmean = Vector(repeating: mean), vscale = Vector(repeating: scale)
        var i = 0
        while i + vectorWidth <= n {
            var y = (loadVector(src + i) - vmean) * vscale
            if let weight { y *= loadVector(weight + i) }
            if let bias { y += loadVector(bias + i) }
            storeVector(y, dst + i)
            i += vectorWidth
        }
        while i < n {
            var y = (src[i] - mean) * scale
            if let weight { y *= weight[i] }
            if let bias { y += bias[i] }
            dst[i] = y
            i += 1
        }
    }
}
