/// One block of queries of one head, on a workspace whose keys and values are packed
/// (`AttentionWorkspace`): scores, mask, softmax, P·V and the store into the output.
extension AttentionWorkspace {
    /// Where a block's results go, and the optional mask.
    struct BlockTargets {
        /// The output's element (query 0 of the batch item, channel 0 of the head); rows
        /// are `outputRowStride` floats apart.
        var output: UnsafeMutablePointer<Float>
        var outputRowStride: Int
        /// The probabilities `[Nq, Nk]` of this batch item and head, if wanted.
        var probabilities: UnsafeMutablePointer<Float>?
        /// The mask's element (query 0, key 0) for this batch item, with its query and key
        /// strides, if any.
        var mask: UnsafePointer<Float>?
        var maskQueryStride = 0, maskKeyStride = 0
    }

    /// Attention of queries `q0 ..< q0 + rows` (already packed with `packQueries`) to all keys.
    func attendBlock(q0: Int, rows: Int, scale: Float, kernel: KernelTable, into targets: BlockTargets) {
        let microKernel = kernel.gemmMicroKernel
        let panels = (rows + nr - 1) / nr
        let panelFloats = paddedKeys * nr
        // Sᵀ = scale · K · Q_blkᵀ: one MR x NR tile per (key panel, query panel).
        for j in 0..<panels {
            let b = UnsafePointer(packedQueries + j * headDim * nr)
            for i in 0..<keyPanels {
                microKernel(headDim, packedKeys + i * mr * headDim, b, scores + j * panelFloats + i * mr * nr, nr, scale, 0)
            }
        }
        if let mask = targets.mask {
            for c in 0..<rows {
                let column = scores + (c / nr) * panelFloats + c % nr
                let m = mask + (q0 + c) * targets.maskQueryStride
                for key in 0..<keys { column[key * nr] += m[key * targets.maskKeyStride] }
            }
        }
        for j in 0..<panels {
            ColumnSoftmax.exponentiate(scores + j * panelFloats, keys: keys, columns: nr, inverseSums: inverseSums + j * nr)
        }
        if let probabilities = targets.probabilities {
            for c in 0..<rows {
                let column = scores + (c / nr) * panelFloats + c % nr
                let row = probabilities + (q0 + c) * keys, inverse = inverseSums[c]
                for key in 0..<keys { row[key] = column[key * nr] * inverse }
            }
        }
        // Oᵀ = Vᵀ · Pᵀ, in depth blocks of at most `GEMMKernel.kc` keys (the same blocking,
        // and so the same roundings, on every table).
        let depthBlock = GEMMKernel.blockSize(keys, limit: GEMMKernel.kc, multiple: 8)
        for p0 in stride(from: 0, to: keys, by: depthBlock) {
            let depth = Swift.min(depthBlock, keys - p0)
            let beta: Float = p0 == 0 ? 0 : 1
            for j in 0..<panels {
                let b = UnsafePointer(scores + j * panelFloats + p0 * nr)
                for i in 0..<valuePanels {
                    microKernel(depth, packedValues + i * keys * mr + p0 * mr, b,
                                outputTransposed + i * mr * queryBlock + j * nr, queryBlock, 1, beta)
                }
            }
        }
        storeOutput(rows: rows, into: targets.output + q0 * targets.outputRowStride, rowStride: targets.outputRowStride)
    }

    /// output[q, d] = Oᵀ[d, q] / Σ_q for q < rows, d < hd: 8 x 8 blocks transposed in registers.
    private func storeOutput(rows: Int, into output: UnsafeMutablePointer<Float>, rowStride: Int) {
        let ot = UnsafePointer(outputTransposed), ld = queryBlock
        var q = 0
        while q + 8 <= rows {
            var d = 0
            while d + 8 <= headDim {
                let src = ot + d * ld + q
                @inline(__always) func row(_ r: Int) -> SIMD8<Float> {
                    UnsafeRawPointer(src + r * ld).loadUnaligned(as: SIMD8<Float>.self)
                }
                let t = BlockTranspose.transpose((row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)))
                let dst = output + q * rowStride + d
                @inline(__always) func put(_ r: Int, _ values: SIMD8<Float>) {
                    UnsafeMutableRawPointer(dst + r * rowStride)
                        .storeBytes(of: values * inverseSums[q + r], as: SIMD8<Float>.self)
                }
                put(0, t.0); put(1, t.1); put(2, t.2); put(3, t.3)
                put(4, t.4); put(5, t.5); put(6, t.6); put(7, t.7)
                d += 8
            }
            for r in q..<(q + 8) {
                for dd in d..<headDim { output[r * rowStride + dd] = ot[dd * ld + r] * inverseSums[r] }
            }
            q += 8
        }
        while q < rows {
            for d in 0..<headDim { output[q * rowStride + d] = ot[d * ld + q] * inverseSums[q] }
            q += 1
        }
    }
}
