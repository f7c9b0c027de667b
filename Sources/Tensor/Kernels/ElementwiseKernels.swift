/// The loops behind element-wise arithmetic: a vectorised path for dense operands,
/// vector-with-scalar paths for the broadcast patterns that dominate models (bias
/// rows, per-channel scales), and a strided fallback for any view.
enum ElementwiseKernels {
    /// `out[i] = Op(a[i], b[i])` over the broadcast shape `shape`. `out` is dense
    /// row-major of that shape and may alias `a` or `b` when they have that exact layout.
    static func binary<Op: BinaryFloatOp>(
        _: Op.Type, _ a: Tensor<Float>, _ b: Tensor<Float>,
        shape: [Int], into out: UnsafeMutablePointer<Float>
    ) {
        let count = Tensor<Float>.elementCount(shape)
        if count == 0 { return }
        let pa = UnsafePointer(a.storage.base), pb = UnsafePointer(b.storage.base)
        if a.shape == shape, b.shape == shape, a.isContiguous, b.isContiguous {
            let sa = pa + a.offset, sb = pb + b.offset
            parallelFor(count, grain: Grain.cheap) { range in
                vectorLoop(Op.self, sa + range.lowerBound, 1, sb + range.lowerBound, 1,
                           out + range.lowerBound, range.count)
            }
            return
        }
        let loop = StridedLoop(
            shape: shape,
            strides: [Tensor<Float>.contiguousStrides(for: shape),
                      a.expanded(to: shape).strides, b.expanded(to: shape).strides])
        let n = loop.innerCount
        let strideA = loop.innerStride(1), strideB = loop.innerStride(2)
        precondition(loop.innerStride(0) == 1 || n == 1, "element-wise output must be dense")
        loop.parallelRows(bases: [0, a.offset, b.offset], grain: Grain.cheap) { offsets in
            vectorLoop(Op.self, pa + offsets[1], strideA, pb + offsets[2], strideB, out + offsets[0], n)
        }
    }

    /// One row: dense, vector∘scalar, scalar∘vector, or strided.
    @inline(__always)
    private static func vectorLoop<Op: BinaryFloatOp>(
        _: Op.Type, _ a: UnsafePointer<Float>, _ strideA: Int,
        _ b: UnsafePointer<Float>, _ strideB: Int, _ out: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        var i = 0
        if strideA == 1 && strideB == 1 {
            while i + vectorWidth <= n {
                storeVector(Op.apply(loadVector(a + i), loadVector(b + i)), out + i)
                i += vectorWidth
            }
            while i < n { out[i] = Op.apply(a[i], b[i]); i += 1 }
        } else if strideA == 1 && strideB == 0 {
            let vb = Vector(repeating: b[0])
            while i + vectorWidth <= n {
                storeVector(Op.apply(loadVector(a + i), vb), out + i)
                i += vectorWidth
            }
            while i < n { out[i] = Op.apply(a[i], b[0]); i += 1 }
        } else if strideA == 0 && strideB == 1 {
            let va = Vector(repeating: a[0])
            while i + vectorWidth <= n {
                storeVector(Op.apply(va, loadVector(b + i)), out + i)
                i += vectorWidth
            }
            while i < n { out[i] = Op.apply(a[0], b[i]); i += 1 }
        } else {
            while i < n { out[i] = Op.apply(a[i * strideA], b[i * strideB]); i += 1 }
        }
    }

    /// `out[i] = Op(x[i])`; `out` is dense row-major of `x.shape` and may alias `x`
    /// when `x` is dense.
    static func unary<Op: UnaryFloatOp>(_: Op.Type, _ x: Tensor<Float>, into out: UnsafeMutablePointer<Float>) {
        let count = x.count
        if count == 0 { return }
        let px = UnsafePointer(x.storage.base)
        if x.isContiguous {
            let sx = px + x.offset
            parallelFor(count, grain: Op.grain) { range in
                unaryLoop(Op.self, sx + range.lowerBound, 1, out + range.lowerBound, range.count)
            }
            return
        }
        let loop = StridedLoop(shape: x.shape,
                               strides: [Tensor<Float>.contiguousStrides(for: x.shape), x.strides])
        let n = loop.innerCount, strideX = loop.innerStride(1)
        loop.parallelRows(bases: [0, x.offset], grain: Op.grain) { offsets in
            unaryLoop(Op.self, px + offsets[1], strideX, out + offsets[0], n)
        }
    }

    @inline(__always)
    private static func unaryLoop<Op: UnaryFloatOp>(
        _: Op.Type, _ x: UnsafePointer<Float>, _ strideX: Int, _ out: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        var i = 0
        if strideX == 1 {
            while i + vectorWidth <= n {
                storeVector(Op.apply(loadVector(x + i)), out + i)
                i += vectorWidth
            }
        }
        while i < n { out[i] = Op.apply(x[i * strideX]); i += 1 }
    }
}
