/// Softmax down the columns of a key-major score panel, for `AttentionKernel`.
///
/// A panel holds `keys` rows of `columns` floats (one column per query, `columns` a
/// multiple of the vector width); each query's softmax runs down its column. Vectors
/// across 16 queries need no horizontal reductions and no transposes: per strip of 16
/// columns, one pass takes the maximum, a second writes `exp(s − max)` in place and sums
/// it. The normalisation is left to the caller (`inverseSums` receives `1 / Σ`), which
/// scales the 64 outputs of a query instead of its `keys` probabilities.
///
/// Every column is computed the same way whatever the panel width, so the bits do not
/// depend on the kernel table's NR: the maximum and the sum run down the keys in
/// ascending order in four interleaved partial results (key mod 4), combined as
/// `(s₀ + s₁) + (s₂ + s₃)`.
enum ColumnSoftmax {
    /// Replaces `panel[k · columns + c]` (k < `keys`) by `exp(s − maxₖ s)` and writes
    /// `1 / Σₖ exp(s − maxₖ s)` to `inverseSums[c]`, for every column c < `columns`.
    /// A column of −∞ gives NaN, as softmax does; NaN in a column gives NaN.
    static func exponentiate(_ panel: UnsafeMutablePointer<Float>, keys: Int, columns: Int,
                             inverseSums: UnsafeMutablePointer<Float>) {
        precondition(keys > 0 && columns % vectorWidth == 0, "column softmax of \(keys) x \(columns)")
        for c in stride(from: 0, to: columns, by: vectorWidth) {
            strip(panel + c, keys: keys, stride: columns, inverseSums: inverseSums + c)
        }
    }

    /// One strip of `vectorWidth` columns, `stride` floats between keys.
    @inline(__always)
    private static func strip(_ x: UnsafeMutablePointer<Float>, keys: Int, stride: Int,
                              inverseSums: UnsafeMutablePointer<Float>) {
        // Maximum (NaN need not propagate here: exp(NaN − m) makes the column NaN below).
        var m0 = Vector(repeating: -.infinity), m1 = m0, m2 = m0, m3 = m0
        var k = 0
        while k + 4 <= keys {
            let x0 = loadVector(x + k * stride), x1 = loadVector(x + (k + 1) * stride)
            let x2 = loadVector(x + (k + 2) * stride), x3 = loadVector(x + (k + 3) * stride)
            m0 = m0.replacing(with: x0, where: x0 .> m0)
            m1 = m1.replacing(with: x1, where: x1 .> m1)
            m2 = m2.replacing(with: x2, where: x2 .> m2)
            m3 = m3.replacing(with: x3, where: x3 .> m3)
            k += 4
        }
        while k < keys {
            let xk = loadVector(x + k * stride)
            m0 = m0.replacing(with: xk, where: xk .> m0)
            k += 1
        }
        m0 = m0.replacing(with: m1, where: m1 .> m0)
        m2 = m2.replacing(with: m3, where: m3 .> m2)
        let maximum = m0.replacing(with: m2, where: m2 .> m0)
        // exp(s − max), in place, and its sum.
        var s0 = Vector(), s1 = Vector(), s2 = Vector(), s3 = Vector()
        k = 0
        while k + 4 <= keys {
            let p0 = x + k * stride, p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride
            let e0 = VectorMath.expNonPositive(loadVector(p0) - maximum)
            storeVector(e0, p0)
            s0 += e0
            let e1 = VectorMath.expNonPositive(loadVector(p1) - maximum)
            storeVector(e1, p1)
            s1 += e1
            let e2 = VectorMath.expNonPositive(loadVector(p2) - maximum)
            storeVector(e2, p2)
            s2 += e2
            let e3 = VectorMath.expNonPositive(loadVector(p3) - maximum)
            storeVector(e3, p3)
            s3 += e3
            k += 4
        }
        while k < keys {
            let p = x + k * stride
            let e = VectorMath.expNonPositive(loadVector(p) - maximum)
            storeVector(e, p)
            s0 += e
            k += 1
        }
        storeVector(1 / ((s0 + s1) + (s2 + s3)), inverseSums)
    }
}
