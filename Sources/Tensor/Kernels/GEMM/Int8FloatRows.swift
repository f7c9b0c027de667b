/// Rows of an int8 linear layer's input that skip activation quantisation: they are
/// multiplied in float32 against the dequantised int8 weights (`q · scale`), then go
/// through the same epilogue as the integer rows (bias, GELU, scaled residual).
///
/// Why: per-token u8 quantisation gives every row about the same absolute error, so a
/// row whose values are small relative to its range (a sequence's summary token, e.g.
/// a ViT's class token) carries the largest relative error. Keeping that one row per
/// sequence in float32 costs 1/N of the layer's work (a GEMV) and removes it.
extension Int8LinearKernel {
    /// Overwrites output rows `rows` (each `< m`) of `output` `[M, N]` with
    /// `epilogue(x[r, :] · (q · scale)ᵀ)`: per column `(Σ_k x[r, k] · q[c, k]) · scale[c]`,
    /// summed in k order (one thread per 64-column panel, so the bits do not depend on the
    /// thread count or kernel table), `+ bias[c]`, then GELU or `residual + γ ⊙ y`.
    /// `input` is `[M, K]`, `packed` the `Int8GEMM.packWeights` panels.
    static func storeFloatRows(_ rows: [Int], input: UnsafePointer<Float>, k: Int, n: Int,
                               packed: UnsafePointer<Int8>, scales: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, gelu: Bool,
                               residualScale: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                               output: UnsafeMutablePointer<Float>) {
        guard !rows.isEmpty, n > 0 else { return }
        let lanes = Int8GEMM.columns, depth = Int8GEMM.paddedDepth(k)
        let pointers = UncheckedSendable((input, packed, scales, bias, residualScale, residual, output))
        parallelFor((n + lanes - 1) / lanes, grain: 1) { panels in
            let (input, packed, scales, bias, residualScale, residual, output) = pointers.value
            withUnsafeTemporaryAllocation(of: Float.self, capacity: depth + lanes) { buffer in
                let x = buffer.baseAddress!  // [K padded]: the row, zero in the padding
                let values = x + depth  // [64]: one panel's results before the epilogue
                for row in rows {
                    x.update(from: input + row * k, count: k)
                    (x + k).update(repeating: 0, count: depth - k)
                    for panel in panels {
                        let column0 = panel * lanes, width = Swift.min(lanes, n - column0)
                        dotPanel(x, depth: depth, weights: packed + panel * depth * lanes, into: values)
                        let out = output + row * n + column0
                        for c in 0..<width {
                            var value = values[c] * scales[column0 + c]
                            if let bias { value += bias[column0 + c] }
                            out[c] = value
                        }
                        if gelu { geluSpan(out, width) }
                        if let residual, let residualScale {
                            addScaledSpan(out, scale: residualScale + column0, residual: residual + row * n + column0, width)
                        }
                    }
                }
            }
        }
    }

    /// `values[c] = Σ_k x[k] · q[c, k]` for the 64 columns of one packed panel
    /// (`[depth / 4, 64, 4]` bytes), a multiply then an add per k, in k order.
    @inline(__always)
    private static func dotPanel(_ x: UnsafePointer<Float>, depth: Int, weights: UnsafePointer<Int8>,
                                 into values: UnsafeMutablePointer<Float>) {
        var sum0 = SIMD16<Float>(repeating: 0), sum1 = SIMD16<Float>(repeating: 0)  // columns 0–15, 16–31
        var sum2 = SIMD16<Float>(repeating: 0), sum3 = SIMD16<Float>(repeating: 0)  // columns 32–47, 48–63
        let block = UnsafeRawPointer(weights)
        for k4 in 0..<depth / 4 {
            let base = block + k4 * 4 * Int8GEMM.columns  // 64 columns × 4 consecutive k
            let words0 = base.loadUnaligned(as: SIMD16<Int32>.self), words1 = base.loadUnaligned(fromByteOffset: 64, as: SIMD16<Int32>.self)
            let words2 = base.loadUnaligned(fromByteOffset: 128, as: SIMD16<Int32>.self), words3 = base.loadUnaligned(fromByteOffset: 192, as: SIMD16<Int32>.self)
            for j in 0..<4 {  // byte j of each word is k = 4·k4 + j (sign-extended by the shifts)
                let xj = SIMD16<Float>(repeating: x[4 * k4 + j])
                let up = SIMD16<Int32>(repeating: Int32(24 - 8 * j)), down = SIMD16<Int32>(repeating: 24)
                sum0 += SIMD16<Float>((words0 &<< up) &>> down) * xj
                sum1 += SIMD16<Float>((words1 &<< up) &>> down) * xj
                sum2 += SIMD16<Float>((words2 &<< up) &>> down) * xj
                sum3 += SIMD16<Float>((words3 &<< up) &>> down) * xj
            }
        }
        let out = UnsafeMutableRawPointer(values)
        out.storeBytes(of: sum0, as: SIMD16<Float>.self)
        out.storeBytes(of: sum1, toByteOffset: 64, as: SIMD16<Float>.self)
        out.storeBytes(of: sum2, toByteOffset: 128, as: SIMD16<Float>.self)
        out.storeBytes(of: sum3, toByteOffset: 192, as: SIMD16<Float>.self)
    }
}
