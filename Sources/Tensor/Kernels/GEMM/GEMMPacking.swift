/// Packing: copying blocks of A and B into the order the micro-kernel reads them.
///
/// The micro-kernel walks k and, at each step, needs MR values of A (one per row of its
/// tile) and NR values of B (one per column) as consecutive floats. Packing arranges a
/// KC-deep block that way once, so the innermost loop reads memory strictly
/// sequentially, whatever the operands' strides, and the block stays in cache while it
/// is reused by many tiles. Partial panels are padded with zeros, so the micro-kernel
/// never needs an edge case: padded rows and columns compute zeros that are not stored.
extension GEMMKernel {
    /// Packs rows `i0 ..< i0 + rows` (rows ≤ `mr`, the table's MR) and columns `p0 ..< p0 + kc` of A into
    /// `dst` as `kc` groups of MR values. (Not inlined: inlined into the large GEMM driver,
    /// the shuffles of `BlockTranspose` stayed calls.)
    @inline(never)
    static func packAPanel(
        _ a: UnsafePointer<Float>, _ layout: MatrixLayout, i0: Int, rows: Int, mr: Int, p0: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let rs = layout.rowStride, cs = layout.columnStride
        if cs == 1 && rows == mr && mr <= 8 {
            // Row-major A, full panel (every Linear layer, and attention's Q and P): 8 × 8
            // blocks, MR rows plus zero rows, transposed in registers (`BlockTranspose`).
            // Group p (MR floats) is stored as 8 lanes at dst + p·MR: lanes MR..<8 spill
            // into group p + 1, which the next store overwrites; only the panel's very last
            // group is stored lane by lane. (Attention's P·V packs a 1025 x 1025 A for a
            // single 64-wide B panel, so this loop's speed shows up directly there.)
            let base = a + i0 * rs + p0
            let zero = SIMD8<Float>()
            @inline(__always) func row(_ r: Int, _ p: Int) -> SIMD8<Float> {
                r < mr ? UnsafeRawPointer(base + r * rs + p).loadUnaligned(as: SIMD8<Float>.self) : zero
            }
            var p = 0
            while p + 8 <= kc {
                let t = BlockTranspose.transpose((row(0, p), row(1, p), row(2, p), row(3, p),
                                                  row(4, p), row(5, p), row(6, p), row(7, p)))
                let out = dst + p * mr
                let lastRowFits = p + 8 < kc
                BlockTranspose.store(t, out, stride: mr, lastRow: lastRowFits)
                if !lastRowFits {
                    for r in 0..<mr { out[7 * mr + r] = t.7[r] }
                }
                p += 8
            }
            while p < kc {
                for r in 0..<mr { dst[p * mr + r] = base[r * rs + p] }
                p += 1
            }
            return
        }
        for r in 0..<rows {
            let src = a + (i0 + r) * rs + p0 * cs
            if cs == 1 {
                for p in 0..<kc { dst[p * mr + r] = src[p] }
            } else {
                for p in 0..<kc { dst[p * mr + r] = src[p * cs] }
            }
        }
        if rows < mr {
            for p in 0..<kc {
                for r in rows..<mr { dst[p * mr + r] = 0 }
            }
        }
    }

    /// Packs rows `p0 ..< p0 + kc` and columns `j0 ..< j0 + columns` (columns ≤ `nr`, the table's NR) of B
    /// into `dst` as `kc` groups of NR floats, widening from `Element`.
    @inline(never)
    static func packBPanel<Element: GEMMOperandElement>(
        _ b: UnsafePointer<Element>, _ layout: MatrixLayout, p0: Int, kc: Int, j0: Int, columns: Int, nr: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let rs = layout.rowStride, cs = layout.columnStride
        if cs == 1 {
            for p in 0..<kc {
                let src = b + (p0 + p) * rs + j0
                let row = dst + p * nr
                for j in 0..<columns { row[j] = Element.widen(src, j) }
                for j in columns..<nr { row[j] = 0 }
            }
        } else {
            // Transposed B (e.g. a Linear weight [out, in] used as Wᵀ): walk each column
            // of B, which is contiguous in memory when rs == 1.
            var jDone = 0
            if rs == 1 {
                // Columns of B contiguous (a weight [out, in] used as Wᵀ, attention's Kᵀ):
                // 8 columns × 8 depths at a time, widened and transposed in registers.
                while jDone + 8 <= columns {
                    let src = b + p0 + (j0 + jDone) * cs
                    var p = 0
                    while p + 8 <= kc {
                        let t = BlockTranspose.transpose((
                            Element.widen8(src, p), Element.widen8(src + cs, p),
                            Element.widen8(src + 2 * cs, p), Element.widen8(src + 3 * cs, p),
                            Element.widen8(src + 4 * cs, p), Element.widen8(src + 5 * cs, p),
                            Element.widen8(src + 6 * cs, p), Element.widen8(src + 7 * cs, p)))
                        BlockTranspose.store(t, dst + p * nr + jDone, stride: nr)
                        p += 8
                    }
                    while p < kc {
                        for j in 0..<8 { dst[p * nr + jDone + j] = Element.widen(src + j * cs, p) }
                        p += 1
                    }
                    jDone += 8
                }
            }
            for j in jDone..<columns {
                let src = b + p0 * rs + (j0 + j) * cs
                if rs == 1 {
                    for p in 0..<kc { dst[p * nr + j] = Element.widen(src, p) }
                } else {
                    for p in 0..<kc { dst[p * nr + j] = Element.widen(src, p * rs) }
                }
            }
            if columns < nr {
                for p in 0..<kc {
                    for j in columns..<nr { dst[p * nr + j] = 0 }
                }
            }
        }
    }
}
