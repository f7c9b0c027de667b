/// A Linear layer's weight quantised to int8 for the integer dot-product GEMM (issue 16):
/// `y = dequantise(quantise(x) · Wqᵀ) + b`.
///
/// Weights are quantised once, symmetric per output channel (`W[n, :] ≈ scale[n] · q[n, :]`,
/// q in ±127, round half to even), packed for `vpdpbusd` and kept resident (1 byte per
/// weight). Activations are quantised per token (row) on every call, asymmetric u8 with a
/// zero point z (`x[m, :] ≈ s[m] · (u[m, :] − z[m])`); the GEMM sums `u · q` exactly in
/// int32 and the epilogue subtracts `z[m] · Σ_k q[n, k]` (the weight column sum), scales
/// by `s[m] · scale[n]` in float32 and adds the bias (and GELU) while the tile is in L1
/// (`Int8LinearKernel`). The int32 sums are the same on every CPU (AVX512-VNNI or
/// portable loops), so results are bit-identical across kernel tables and thread counts.
public struct Int8LinearWeights: Sendable {
    /// Output features (N).
    public let outFeatures: Int
    /// Input features (K).
    public let inFeatures: Int
    /// Packed int8 panels (`Int8GEMM.packWeights` layout), `paddedColumns(N) · paddedDepth(K)` bytes.
    let packed: [Int8]
    /// Per-output-channel scale, `[paddedColumns(N)]` (zero in the padding).
    let scales: [Float]
    /// Σ_k q[n, k] per output channel, `[paddedColumns(N)]` (zero in the padding).
    let columnSums: [Int32]
    /// Input rows kept out of activation quantisation (see `FloatActivationRows`).
    public var floatActivationRows: FloatActivationRows = .none

    /// Which rows of an input `[..., S, K]` skip the u8 quantisation and multiply the
    /// dequantised weights (`q · scale`) in float32 instead, with the same epilogue.
    public enum FloatActivationRows: Sendable, Equatable {
        /// Every row goes through the integer GEMM.
        case none
        /// Row 0 of every sequence (rows `0, S, 2S, …` of the flattened `[M, K]` input,
        /// S the second-to-last dimension): a ViT's class token, whose small norm makes
        /// the per-token quantisation error largest relative to it. Costs 1/S of the work.
        case firstOfEachSequence
    }

    /// Quantises a float32 `weight` (`[out, in]`), rows spread over the compute threads.
    public init(weight: Tensor<Float>) {
        self.init(shape: weight.shape) { column, k, row in
            weight.withUnsafeBufferPointer { row.update(from: $0.baseAddress! + column * k, count: k) }
        }
    }

    /// These weights with `rows` kept out of activation quantisation.
    public func keepingFloat(_ rows: FloatActivationRows) -> Int8LinearWeights {
        var copy = self
        copy.floatActivationRows = rows
        return copy
    }

    /// Quantises a bfloat16 `weight` (`[out, in]`, e.g. memory-mapped), read in place.
    public init(weight: Tensor<BFloat16>) {
        self.init(shape: weight.shape) { column, k, row in
            weight.withUnsafeBufferPointer { source in
                let values = source.baseAddress! + column * k
                for kk in 0..<k { row[kk] = values[kk].floatValue }
            }
        }
    }

    /// Quantises a float16 `weight` (`[out, in]`).
    public init(weight: Tensor<Half>) {
        self.init(shape: weight.shape) { column, k, row in
            weight.withUnsafeBufferPointer { source in
                let values = source.baseAddress! + column * k
                for kk in 0..<k { row[kk] = values[kk].floatValue }
            }
        }
    }

    /// `readRow(column, k, row)` writes output channel `column`'s `k` weights as floats
    /// into `row`; it is called from several threads at once (for different columns).
    private init(shape: [Int], readRow: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        precondition(shape.count == 2, "int8 linear weight must be [out, in], got \(shape)")
        let n = shape[0], k = shape[1]
        precondition(k <= Int8GEMM.maxDepth, "int8 linear: \(k) input features exceed \(Int8GEMM.maxDepth)")
        let depth = Int8GEMM.paddedDepth(k), width = Int8GEMM.paddedColumns(n), lanes = Int8GEMM.columns
        var packed = [Int8](repeating: 0, count: width * depth)  // panels of [depth / 4, 64, 4]
        var scales = [Float](repeating: 0, count: width)  // [N padded]
        var sums = [Int32](repeating: 0, count: width)  // [N padded]
        packed.withUnsafeMutableBufferPointer { packedOut in
            scales.withUnsafeMutableBufferPointer { scalesOut in
                sums.withUnsafeMutableBufferPointer { sumsOut in
                    let packedOut = UncheckedSendable(packedOut.baseAddress!)
                    let scalesOut = UncheckedSendable(scalesOut.baseAddress!), sumsOut = UncheckedSendable(sumsOut.baseAddress!)
                    // Each output channel writes its own bytes of the panels: rows are independent.
                    withoutActuallyEscaping(readRow) { readRow in
                        let readRow = UncheckedSendable(readRow)
                        parallelFor(n, grain: 16) { range in
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(k, 1)) { buffer in
                                let row = buffer.baseAddress!  // [K]
                                for column in range {
                                    readRow.value(column, k, row)
                                    let (scale, sum) = Self.quantiseRow(row, k: k, into: packedOut.value + (column / lanes) * depth * lanes + 4 * (column % lanes))
                                    scalesOut.value[column] = scale
                                    sumsOut.value[column] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
        self.outFeatures = n
        self.inFeatures = k
        self.packed = packed
        self.scales = scales
        self.columnSums = sums
    }

    /// Symmetric int8 codes of one output channel, `q = clamp(round(w / scale), ±127)` with
    /// `scale = max |w| / 127` (round half to even), written at byte `(k / 4) · 256 + k % 4`
    /// of its panel lane; returns the scale and Σ q (0, 0 for an all-zero row).
    private static func quantiseRow(_ row: UnsafePointer<Float>, k: Int, into lane: UnsafeMutablePointer<Int8>) -> (Float, Int32) {
        var largest: Float = 0
        for kk in 0..<k { largest = Swift.max(largest, abs(row[kk])) }
        guard largest > 0 else { return (0, 0) }
        let scale = largest / 127
        var sum: Int32 = 0
        for kk in 0..<k {
            let q = Int8(Swift.min(127, Swift.max(-127, (row[kk] / scale).rounded(.toNearestOrEven))))
            lane[(kk / 4) * 4 * Int8GEMM.columns + kk % 4] = q
            sum += Int32(q)
        }
        return (scale, sum)
    }

    /// The integer micro-kernel this process runs: `avx512-vnni` (512-bit `vpdpbusd`, when
    /// the CPU has AVX512-VNNI and the AVX-512 float table is selected), `avx-vnni` (256-bit
    /// VEX `vpdpbusd`, on AVX2 + AVX-VNNI CPUs otherwise, unless `TENSOR_KERNEL=portable`)
    /// or `portable`.
    public static var kernelName: String { Int8GEMM.selectedKernel.rawValue }

    /// Bytes held by the quantised weights (packed panels, scales and column sums).
    public var byteCount: Int { packed.count + 8 * scales.count }

    /// The weights the integer GEMM multiplies by, `q · scale`, as float32 `[out, in]`
    /// (what `save` writes for a quantised layer).
    public func dequantised() -> Tensor<Float> {
        let n = outFeatures, k = inFeatures
        let depth = Int8GEMM.paddedDepth(k), lanes = Int8GEMM.columns
        var values = [Float](repeating: 0, count: n * k)  // [out, in]
        for column in 0..<n {
            let panel = (column / lanes) * depth * lanes + 4 * (column % lanes)
            for kk in 0..<k {
                values[column * k + kk] = Float(packed[panel + (kk / 4) * 4 * lanes + kk % 4]) * scales[column]
            }
        }
        return Tensor(values, shape: [n, k])
    }

    /// `x · Wᵀ + b` (then `activation`) for `x` of shape `[..., in]` and `bias` `[out]`:
    /// result `[..., out]`. With `scaledResidual` the result is `residual + scale ⊙ (x · Wᵀ + b)`
    /// (no activation allowed then), added in the GEMM's epilogue while each tile is in L1
    /// (the same bits as `residual + y * scale` on the result).
    public func apply(_ x: Tensor<Float>, bias: Tensor<Float>? = nil, activation: LinearActivation = .none,
                      scaledResidual: ScaledResidual? = nil) -> Tensor<Float> {
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
                     "int8 linear input of shape \(x.shape) does not end in \(inFeatures)")
        if let bias { precondition(bias.shape == [outFeatures], "int8 linear bias of shape \(bias.shape) for \(outFeatures) outputs") }
        if let scaledResidual {
            precondition(activation == .none, "int8 linear with a scaled residual takes no activation")
            let resultShape = Array(x.shape.dropLast()) + [outFeatures]
            precondition(scaledResidual.scale.shape == [outFeatures] && scaledResidual.residual.shape == resultShape,
                         "int8 linear residual \(scaledResidual.residual.shape) and scale \(scaledResidual.scale.shape) "
                         + "for a result of shape \(resultShape)")
        }
        return Int8LinearKernel.apply(x, weights: self, bias: bias, activation: activation, scaledResidual: scaledResidual)
    }
}
