/// A reduction (sum, max, min) in scalar and 16-lane form.
protocol ReductionOp {
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    static func combine(_ a: Vector, _ b: Vector) -> Vector
}

enum SumReduction: ReductionOp {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a + b }
}
/// Maximum; NaN propagates (as `torch.max` and `numpy.max`).
enum MaxReduction: ReductionOp {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { MaximumOp.apply(a, b) }
    @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { MaximumOp.apply(a, b) }
}
/// Minimum; NaN propagates.
enum MinReduction: ReductionOp {
    static var identity: Float { .infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { MinimumOp.apply(a, b) }
    @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { MinimumOp.apply(a, b) }
}

/// Reductions of a dense tensor viewed as `[outer, n, inner]` along the middle axis.
enum ReductionKernels {
    /// `out[o, j] = reduce over i of x[o, i, j]`; `x` and `out` are dense.
    static func reduce<Op: ReductionOp>(
        _: Op.Type, _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        if inner == 1 {
            parallelFor(outer, grain: Swift.max(1, Grain.cheap / Swift.max(n, 1))) { rows in
                for o in rows { out[o] = reduceRow(Op.self, x + o * n, n) }
            }
            return
        }
        // Reduce n rows of `inner` contiguous values into one row, vectorised along j.
        // Work is split over (outer × column blocks) so a single outer row still uses
        // every thread.
        let blockWidth = 1024
        let blocks = (inner + blockWidth - 1) / blockWidth
        parallelFor(outer * blocks, grain: Swift.max(1, Grain.cheap / Swift.max(n * blockWidth, 1))) { pieces in
            for piece in pieces {
                let o = piece / blocks
                let start = (piece % blocks) * blockWidth
                let width = Swift.min(blockWidth, inner - start)
                let dst = out + o * inner + start
                let src = x + o * n * inner + start
                dst.update(repeating: Op.identity, count: width)
                for i in 0..<n {
                    let row = src + i * inner
                    var j = 0
                    while j + vectorWidth <= width {
                        storeVector(Op.combine(loadVector(dst + j), loadVector(row + j)), dst + j)
                        j += vectorWidth
                    }
                    while j < width { dst[j] = Op.combine(dst[j], row[j]); j += 1 }
                }
            }
        }
    }

    /// Reduces `n` contiguous values with four 16-lane accumulators.
    @inline(__always)
    static func reduceRow<Op: ReductionOp>(_: Op.Type, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let id = Vector(repeating: Op.identity)
        var a0 = id, a1 = id, a2 = id, a3 = id
        var i = 0
        while i + 4 * vectorWidth <= n {
            a0 = Op.combine(a0, loadVector(x + i))
            a1 = Op.combine(a1, loadVector(x + i + vectorWidth))
            a2 = Op.combine(a2, loadVector(x + i + 2 * vectorWidth))
            a3 = Op.combine(a3, loadVector(x + i + 3 * vectorWidth))
            i += 4 * vectorWidth
        }
        while i + vectorWidth <= n {
            a0 = Op.combine(a0, loadVector(x + i))
            i += vectorWidth
        }
        let total = Op.combine(Op.combine(a0, a1), Op.combine(a2, a3))
        var result = Op.identity
        for lane in 0..<vectorWidth { result = Op.combine(result, total[lane]) }
        while i < n { result = Op.combine(result, x[i]); i += 1 }
        return result
    }

    /// Index of the first maximum along the middle axis (a NaN counts as the maximum,
    /// as in numpy and PyTorch).
    static func argmax(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
                       into out: UnsafeMutablePointer<Int32>) {
        parallelFor(outer * inner, grain: Swift.max(1, Grain.cheap / Swift.max(n, 1))) { range in
            for k in range {
                let o = k / inner, j = k % inner
                let base = x + o * n * inner + j
                var best = base[0], bestIndex = 0
                if !best.isNaN {
                    for i in 1..<Swift.max(n, 1) {
                        let v = base[i * inner]
                        if v.isNaN { bestIndex = i; break }
                        if v > best { best = v; bestIndex = i }
                    }
                }
                out[k] = Int32(bestIndex)
            }
        }
    }
}
