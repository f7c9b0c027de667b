/// A Linear layer's weight quantised to int8 for the integer dot-product GEMM (issue 16):
/// `y = dequantise(quantise(x) · Wqᵀ) + b`.
///
/// Weights are quantised once, symmetric per output channel (`W[n, :] ≈ scale[n] · q[n, :]`,
/// q in ±127), packed for `vpdpbusd` and kept resident (1 byte per weight). Activations are
/// quantised per token (row) on every call, asymmetric u8 with a zero point z
/// (`x[m, :] ≈ s[m] · (u[m, :] − z[m])`); the GEMM sums `u · q` exactly in int32 and the
/// epilogue subtracts `z[m] · Σ_k q[n, k]` (the weight column sum), scales by
/// `s[m] · scale[n]` in float32 and adds the bias (and GELU). The int32 sums are the same
/// on every CPU (AVX512-VNNI or portable loops), so results are bit-identical across
/// kernel tables.
public struct Int8LinearWeights: Sendable {
    /// Output features (N).
    public let outFeatures: Int
    /// Input features (K).
    public let inFeatures: Int
    /// Packed int8 panels (`Int8GEMM.packWeights`).
    let packed: [Int8]
    /// Per-output-channel scale, `[out]`.
    let scales: [Float]
    /// Σ_k q[n, k] per output channel, `[out]`.
    let columnSums: [Int32]
    /// Bias, `[out]`, if any.
    let bias: [Float]?

    /// Quantises `weight` (`[out, in]`, any scalar type) and copies `bias` (`[out]`).
    public init<W: TensorScalar>(weight: Tensor<W>, bias: Tensor<Float>?) {
        precondition(weight.rank == 2, "int8 linear weight must be [out, in], got \(weight.shape)")
        let n = weight.shape[0], k = weight.shape[1]
        precondition(k <= Int8GEMM.maxDepth, "int8 linear: \(k) input features exceed \(Int8GEMM.maxDepth)")
        if let bias { precondition(bias.shape == [n], "int8 linear bias of shape \(bias.shape) for weight \(weight.shape)") }
        let values = weight.converted(to: Float.self).scalars  // [out, in]
        var quantised = [Int8](repeating: 0, count: n * k)  // [out, in]
        var scales = [Float](repeating: 0, count: n)
        var sums = [Int32](repeating: 0, count: n)
        for row in 0..<n {
            var largest: Float = 0
            for kk in 0..<k { largest = Swift.max(largest, abs(values[row * k + kk])) }
            guard largest > 0 else { continue }
            let scale = largest / 127
            scales[row] = scale
            var sum: Int32 = 0
            for kk in 0..<k {
                let q = Int8(Swift.min(127, Swift.max(-127, (values[row * k + kk] / scale).rounded())))
                quantised[row * k + kk] = q
                sum += Int32(q)
            }
            sums[row] = sum
        }
        self.outFeatures = n
        self.inFeatures = k
        self.packed = quantised.withUnsafeBufferPointer { Int8GEMM.packWeights($0.baseAddress!, n: n, k: k) }
        self.scales = scales
        self.columnSums = sums
        self.bias = bias?.scalars
    }

    /// Bytes held by the packed weights.
    public var packedByteCount: Int { packed.count }

    /// `x · Wᵀ + b` (then `activation`) for `x` of shape `[..., in]`: result `[..., out]`.
    public func apply(_ x: Tensor<Float>, activation: LinearActivation = .none) -> Tensor<Float> {
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
                     "int8 linear input of shape \(x.shape) does not end in \(inFeatures)")
        let k = inFeatures, n = outFeatures
        let m = x.count / Swift.max(k, 1)
        let depth = Int8GEMM.paddedDepth(k), rowsPadded = Int8GEMM.paddedRows(m)
        let ldc = Int8GEMM.paddedColumns(n)
        let input = x.contiguous()
        var codes = [UInt8](repeating: 0, count: rowsPadded * depth)  // [M padded, K padded]
        var rowScales = [Float](repeating: 0, count: m)  // [M]
        var zeroPoints = [Int32](repeating: 0, count: m)  // [M]
        input.withUnsafeBufferPointer { xs in
            for row in 0..<m {
                let values = xs.baseAddress! + row * k
                var lo: Float = 0, hi: Float = 0
                for kk in 0..<k { lo = Swift.min(lo, values[kk]); hi = Swift.max(hi, values[kk]) }
                guard hi > lo else { continue }
                let scale = (hi - lo) / 255
                let zero = Swift.min(255, Swift.max(0, (-lo / scale).rounded()))
                rowScales[row] = scale
                zeroPoints[row] = Int32(zero)
                for kk in 0..<k {
                    codes[row * depth + kk] = UInt8(Swift.min(255, Swift.max(0, (values[kk] / scale).rounded() + zero)))
                }
            }
        }
        var sums = [Int32](repeating: 0, count: rowsPadded * ldc)  // [M padded, N padded]
        codes.withUnsafeBufferPointer { a in
            packed.withUnsafeBufferPointer { b in
                sums.withUnsafeMutableBufferPointer { c in
                    Int8GEMM.multiply(m: m, n: n, depth: depth, a: a.baseAddress!, packed: b.baseAddress!, c: c.baseAddress!)
                }
            }
        }
        var output = [Float](repeating: 0, count: m * n)  // [M, N]
        for row in 0..<m {
            let rowScale = rowScales[row], zero = Int64(zeroPoints[row])
            for column in 0..<n {
                let exact = Int64(sums[row * ldc + column]) - zero * Int64(columnSums[column])
                var value = Float(exact) * (rowScale * scales[column])
                if let bias { value += bias[column] }
                if case .gelu = activation { value = GELUOp.apply(value) }
                output[row * n + column] = value
            }
        }
        return Tensor(output, shape: Array(x.shape.dropLast()) + [n])
    }
}
