/// The last few queries of a head, one at a time, for `AttentionKernel`.
///
/// The key-major blocks of `attendBlock` compute queries in panels of NR (64 on
/// AVX-512), so 1025 queries would cost 17 panels for 16 panels' worth of queries. When
/// the queries past the last whole block of `AttentionKernel.queryBlock` are at most
/// `AttentionKernel.remainderRows`, they take this path instead, on the head's packed K
/// and V (still in L2): each score is the same multiply-add chain over the channels as
/// in the micro-kernel, then a softmax of the row and the weighted sum of V's rows, with
/// MR channels per vector. Which path a query takes depends only on Nq, never on the
/// kernel table or the threads, so the bits are the same on every table and thread count.
extension AttentionWorkspace {
    /// Attention of queries `q0 ..< q0 + rows`, one at a time, using `scores` as the
    /// `[Nk]` scratch. `packHead` must have packed this head.
    func attendRows(q0: Int, rows: Int, scale: Float, head: HeadOperands, into targets: BlockTargets) {
        let s = scores                                                          // [Nk]
        for r in 0..<rows {
            let query = head.q + (q0 + r) * head.qRowStride                     // [hd]
            // s = scale · K · q, MR keys per vector (lanes past MR are ignored).
            for panel in 0..<keyPanels {
                let keys = UnsafePointer(packedKeys + panel * mr * headDim)     // [hd][MR]
                let scaled = Vector(repeating: scale) * panelProduct(query, keys, count: headDim)
                for lane in 0..<Swift.min(mr, self.keys - panel * mr) { s[panel * mr + lane] = scaled[lane] }
            }
            if let mask = targets.mask {
                let m = mask + (q0 + r) * targets.maskQueryStride
                for key in 0..<keys { s[key] += m[key * targets.maskKeyStride] }
            }
            RowKernels.softmaxRow(s, keys, s)
            if let probabilities = targets.probabilities {
                (probabilities + (q0 + r) * keys).update(from: s, count: keys)
            }
            // o = Vᵀ · p, MR channels per vector.
            let o = targets.output + (q0 + r) * targets.outputRowStride         // [hd]
            for panel in 0..<valuePanels {
                let values = UnsafePointer(packedValues + panel * keys * mr)    // [Nk][MR]
                let sum = panelProduct(s, values, count: keys)
                for lane in 0..<Swift.min(mr, headDim - panel * mr) { o[panel * mr + lane] = sum[lane] }
            }
        }
    }

    /// `Σ_i x[i] · panel[i·MR ..< i·MR + vector width]`, in i order: MR outputs per call
    /// (lanes past MR read the slack after the panel and are ignored by the caller).
    @inline(__always)
    private func panelProduct(_ x: UnsafePointer<Float>, _ panel: UnsafePointer<Float>, count: Int) -> Vector {
        var sum = Vector()
        for i in 0..<count { sum = multiplyAdd(Vector(repeating: x[i]), loadVector(panel + i * mr), sum) }
        return sum
    }
}
