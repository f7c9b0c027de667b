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
    /// `dst` as `kc` groups of MR values.
    @inline(__always)
    static func packAPanel(
        _ a: UnsafePointer<Float>, _ layout: MatrixLayout, i0: Int, rows: Int, mr: Int, p0: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let rs = layout.rowStride, cs = layout.columnStride
        if cs == 1 && rows == mr {
            // Row-major A, full panel: read MR rows side by side, write sequentially.
            // (Attention's P·V packs a 1025 x 1025 A for a single 64-wide B panel, so
            // this loop's speed shows up directly there.)
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: mr) { rowsOfA in
                for r in 0..<mr { rowsOfA[r] = a + (i0 + r) * rs + p0 }
                var out = dst
                for p in 0..<kc {
                    for r in 0..<mr { out[r] = rowsOfA[r][p] }
                    out += mr
                }
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
    @inline(__always)
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
            for j in 0..<columns {
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
