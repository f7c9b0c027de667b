/// The forward of an int8 linear layer (`Int8LinearWeights.apply`) in two parallel passes
/// and no per-call allocation beyond the output:
///
/// 1. every token (row of x) is quantised to u8 with its own scale and zero point, rows
///    split over the threads, into a pooled buffer laid out for the GEMM;
/// 2. the integer GEMM runs tile by tile, and each 4 × 64 tile of int32 sums is turned
///    into float32 output at once, while it is in L1: zero-point correction, scale,
///    bias, GELU (the epilogue), so no [M, N] int32 matrix is written or read back.
///
/// Quantisation of a row: `lo = min(0, min x)`, `hi = max(0, max x)` (0 stays exactly
/// representable), `s = (hi − lo) / 255`, `z = round(−lo / s)` clamped to 0…255,
/// `u = round(clamp(x · (1/s) + z, 0, 255))` (one fused multiply-add, rounding half to
/// even). Vector lanes and the
/// scalar tail do the same float operations, so the codes do not depend on the position
/// of a row's elements.
///
/// The correction is done in wrapping int32: the true value `Σ_k (u − z) · q` is at most
/// 255 · 127 · K < 2³¹ in magnitude for K ≤ `Int8GEMM.maxDepth`, so the wrapped
/// difference `acc − z · Σ q` (each term exact mod 2³²) equals it exactly.
enum Int8LinearKernel {
    static func apply(_ x: Tensor<Float>, weights: Int8LinearWeights, bias: Tensor<Float>?,
                      activation: LinearActivation, scaledResidual: ScaledResidual? = nil) -> Tensor<Float> {
        let k = weights.inFeatures, n = weights.outFeatures
        let residualScale = scaledResidual?.scale.contiguous()  // [N]
        let residual = scaledResidual?.residual.contiguous()  // [M, N]
        let m = x.count / Swift.max(k, 1)
        let depth = Int8GEMM.paddedDepth(k), rowsPadded = Int8GEMM.paddedRows(m)
        let outputStorage = TensorStorage<Float>(uninitializedCount: m * n)  // [M, N]
        let codeBuffer = PackingBufferPool.acquire(floats: (rowsPadded * depth + 3) / 4)
        let codes = UnsafeMutableRawPointer(codeBuffer.pointer).bindMemory(to: UInt8.self, capacity: rowsPadded * depth)  // [M padded, K padded]
        defer {
            _ = UnsafeMutableRawPointer(codes).bindMemory(to: Float.self, capacity: (rowsPadded * depth + 3) / 4)
            PackingBufferPool.release(codeBuffer)
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(rowsPadded, 1)) { rowScales in  // [M]
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: Swift.max(rowsPadded, 1)) { zeroPoints in  // [M]
                x.withUnsafeBufferPointer { input in
                    quantiseRows(input.baseAddress!, m: m, k: k, rowsPadded: rowsPadded, depth: depth,
                                 codes: codes, scales: rowScales.baseAddress!, zeroPoints: zeroPoints.baseAddress!)
                }
                weights.packed.withUnsafeBufferPointer { packed in
                    weights.scales.withUnsafeBufferPointer { scales in
                        weights.columnSums.withUnsafeBufferPointer { sums in
                            withBaseAddress(bias) { biasPointer in
                                withBaseAddress(residualScale) { residualScalePointer in
                                    withBaseAddress(residual) { residualPointer in
                                        let epilogue = Epilogue(output: outputStorage.base, n: n, m: m,
                                                                rowScales: rowScales.baseAddress!, zeroPoints: zeroPoints.baseAddress!,
                                                                gelu: activation == .gelu,
                                                                residualScale: residualScalePointer, residual: residualPointer)
                                        Int8GEMM.multiply(m: m, n: n, depth: depth, a: codes, packed: packed.baseAddress!) { tile, panel, tileSums in
                                            epilogue.store(tile: tile, panel: panel, sums: tileSums, scales: scales.baseAddress!,
                                                           columnSums: sums.baseAddress!, bias: biasPointer)
                                        }
                                        let floatRows = floatRowIndices(weights.floatActivationRows, shape: x.shape, m: m)
                                        if !floatRows.isEmpty {
                                            x.withUnsafeBufferPointer { input in
                                                storeFloatRows(floatRows, input: input.baseAddress!, k: k, n: n,
                                                               packed: packed.baseAddress!, scales: scales.baseAddress!,
                                                               bias: biasPointer, gelu: activation == .gelu,
                                                               residualScale: residualScalePointer, residual: residualPointer,
                                                               output: outputStorage.base)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(storage: outputStorage, shape: Array(x.shape.dropLast()) + [n])
    }

    /// The rows of the flattened `[M, K]` input that `rows` keeps in float32 (row 0 of each
    /// sequence of an input `[..., S, K]`; none for a rank-1 input).
    static func floatRowIndices(_ rows: Int8LinearWeights.FloatActivationRows, shape: [Int], m: Int) -> [Int] {
        guard case .firstOfEachSequence = rows, shape.count >= 2, shape[shape.count - 2] > 0 else { return [] }
        return Array(stride(from: 0, to: m, by: shape[shape.count - 2]))
    }

    /// `body(pointer to tensor's elements)`, or `body(nil)` without a tensor.
    private static func withBaseAddress<R>(_ tensor: Tensor<Float>?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let tensor else { return body(nil) }
        return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Pass 1: u8 codes, scale and zero point of every row; padding rows and columns are zero.
    static func quantiseRows(_ input: UnsafePointer<Float>, m: Int, k: Int, rowsPadded: Int, depth: Int,
                             codes: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>,
                             zeroPoints: UnsafeMutablePointer<Int32>) {
        let input = UncheckedSendable(input), codes = UncheckedSendable(codes)
        let scales = UncheckedSendable(scales), zeroPoints = UncheckedSendable(zeroPoints)
        parallelFor(rowsPadded, grain: Swift.max(1, 65_536 / Swift.max(k, 1))) { range in
            for row in range {
                let out = codes.value + row * depth  // [K padded]
                guard row < m else {
                    out.initialize(repeating: 0, count: depth)
                    scales.value[row] = 0; zeroPoints.value[row] = 0
                    continue
                }
                let (scale, zero) = quantiseRow(input.value + row * k, k: k, into: out)
                (out + k).initialize(repeating: 0, count: depth - k)
                scales.value[row] = scale
                zeroPoints.value[row] = zero
            }
        }
    }

    /// 2²³: adding it to a float in [0, 256) rounds it to an integer (half to even, the
    /// default rounding) that lands in the low mantissa bits, so the code is the low byte
    /// of the bit pattern: a float → u8 conversion without a per-lane conversion call.
    static let roundingMagic: Float = 8_388_608

    /// One row `[k]` → `k` codes; returns its scale and zero point (0, 0 for a constant-zero row).
    @inline(__always)
    static func quantiseRow(_ values: UnsafePointer<Float>, k: Int, into out: UnsafeMutablePointer<UInt8>) -> (Float, Int32) {
        var low = Vector(repeating: 0), high = Vector(repeating: 0)
        var kk = 0
        while kk + vectorWidth <= k {
            let v = loadVector(values + kk)
            low = low.replacing(with: v, where: v .< low)
            high = high.replacing(with: v, where: v .> high)
            kk += vectorWidth
        }
        var lo: Float = 0, hi: Float = 0
        for lane in 0..<vectorWidth {
            if low[lane] < lo { lo = low[lane] }
            if high[lane] > hi { hi = high[lane] }
        }
        while kk < k {
            if values[kk] < lo { lo = values[kk] }
            if values[kk] > hi { hi = values[kk] }
            kk += 1
        }
        guard hi > lo else {
            out.initialize(repeating: 0, count: k)
            return (0, 0)
        }
        let scale = (hi - lo) / 255
        let zero = Swift.min(255, Swift.max(0, (-lo / scale).rounded(.toNearestOrEven)))
        let inverse = 1 / scale
        let inverseVector = Vector(repeating: inverse), zeroVector = Vector(repeating: zero)
        let floor = Vector(repeating: 0), ceiling = Vector(repeating: 255), magic = Vector(repeating: roundingMagic)
        kk = 0
        while kk + vectorWidth <= k {
            var q = multiplyAdd(loadVector(values + kk), inverseVector, zeroVector)
            q = q.replacing(with: floor, where: q .< floor)
            q = q.replacing(with: ceiling, where: q .> ceiling)
            let bits = unsafeBitCast(q + magic, to: SIMD16<UInt32>.self)
            UnsafeMutableRawPointer(out + kk).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: bits), as: SIMD16<UInt8>.self)
            kk += vectorWidth
        }
        while kk < k {
            var q = multiplyAdd(values[kk], inverse, zero)
            if q < 0 { q = 0 }
            if q > 255 { q = 255 }
            out[kk] = UInt8(truncatingIfNeeded: (q + roundingMagic).bitPattern)
            kk += 1
        }
        return (scale, Int32(zero))
    }

    /// Pass 2's per-tile work: int32 sums → float32 output rows.
    struct Epilogue: @unchecked Sendable {
        let output: UnsafeMutablePointer<Float>  // [M, N]
        let n: Int
        let m: Int
        let rowScales: UnsafeMutablePointer<Float>  // [M padded]
        let zeroPoints: UnsafeMutablePointer<Int32>  // [M padded]
        let gelu: Bool
        /// The scaled residual `residual + scale ⊙ y`, or nil: `[N]` and `[M, N]`.
        let residualScale: UnsafePointer<Float>?
        let residual: UnsafePointer<Float>?

        /// `out[r, c] = GELU?(Float(acc − z[r] · Σq[c]) · (s[r] · scale[c]) + bias[c])` for
        /// the tile's valid rows and columns (GELU over each row's span once it is stored),
        /// then `residual[r, c] + γ[c] · out[r, c]` with a scaled residual; `sums` is `[4, 64]`.
        @inline(__always)
        func store(tile: Int, panel: Int, sums: UnsafePointer<Int32>, scales: UnsafePointer<Float>,
                   columnSums: UnsafePointer<Int32>, bias: UnsafePointer<Float>?) {
            let lanes = Int8GEMM.columns
            let column0 = panel * lanes
            let width = Swift.min(lanes, n - column0)
            for r in 0..<Int8GEMM.rows {
                let row = tile * Int8GEMM.rows + r
                guard row < m else { return }
                let zero = zeroPoints[row], rowScale = rowScales[row]
                let acc = sums + r * lanes, out = output + row * n + column0
                var c = 0
                while c + vectorWidth <= width {
                    let raw = UnsafeRawPointer(acc + c).loadUnaligned(as: SIMD16<Int32>.self)
                    let columnSum = UnsafeRawPointer(columnSums + column0 + c).loadUnaligned(as: SIMD16<Int32>.self)
                    let exact = raw &- SIMD16<Int32>(repeating: zero) &* columnSum
                    var value = Vector(exact) * (Vector(repeating: rowScale) * loadVector(scales + column0 + c))
                    if let bias { value += loadVector(bias + column0 + c) }
                    storeVector(value, out + c)
                    c += vectorWidth
                }
                while c < width {
                    let exact = acc[c] &- zero &* columnSums[column0 + c]
                    var value = Float(exact) * (rowScale * scales[column0 + c])
                    if let bias { value += bias[column0 + c] }
                    out[c] = value
                    c += 1
                }
                if gelu { Int8LinearKernel.geluSpan(out, width) }
                if let residual, let residualScale {
                    Int8LinearKernel.addScaledSpan(out, scale: residualScale + column0, residual: residual + row * n + column0, width)
                }
            }
        }
    }

    /// `values = residual + scale ⊙ values` on `n` floats still in L1 (a multiply then an
    /// add, no fused multiply-add: the same bits as the separate tensor operations
    /// `residual + y * scale` that it replaces).
    @inline(__always)
    static func addScaledSpan(_ values: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>,
                              residual: UnsafePointer<Float>, _ n: Int) {
        var j = 0
        while j + vectorWidth <= n {
            let product = loadVector(values + j) * loadVector(scale + j)
            storeVector(loadVector(residual + j) + product, values + j)
            j += vectorWidth
        }
        while j < n { values[j] = residual[j] + values[j] * scale[j]; j += 1 }
    }

    /// GELU in place on `n` floats still in L1 (one row of a tile). Kept out of line so
    /// that `GELUOp.apply` inlines into this loop: inlined into the epilogue above it was
    /// compiled as an outlined call on 128-bit halves with its erf coefficients read from
    /// an array, ~10× slower per element than this loop (perf, `tensor-bench int8 fc1`).
    @inline(never)
    static func geluSpan(_ values: UnsafeMutablePointer<Float>, _ n: Int) {
        var j = 0
        while j + vectorWidth <= n {
            storeVector(GELUOp.apply(loadVector(values + j)), values + j)
            j += vectorWidth
        }
        while j < n { values[j] = GELUOp.apply(values[j]); j += 1 }
    }
}
