/// An 8 × 8 transpose of floats in registers, the core of the packing loops.
///
/// Packing a transposed operand (a Linear weight `[out, in]` used as Wᵀ, or the keys of
/// attention used as Kᵀ) or interleaving the MR rows of A turns columns into rows. Done
/// one float at a time that is a scalar load and a scalar store per element, which cost
/// 10–15 % of a whole InternViT forward. Here 8 rows of 8 floats are loaded as vectors,
/// transposed with three rounds of "even lanes | odd lanes" unshuffles, and stored as
/// vectors: 24 two-register shuffles per 64 floats. Three unshuffles of the 64 floats
/// (index `8r + c`, six bits `r₂r₁r₀c₂c₁c₀`) each rotate the index right by one bit, so
/// three rotate it by three: `8c + r`, the transpose. Plain Swift SIMD, so it is the same
/// code on every instruction set (LLVM emits `vshufps` + `vpermpd` for AVX2, `uzp1/uzp2`
/// on NEON); it only moves bits, so it never changes a result.
enum BlockTranspose {
    typealias Row = SIMD8<Float>

    /// Lanes 0, 2, 4, … of `a ‖ b` and lanes 1, 3, 5, … of `a ‖ b`.
    @inline(__always)
    static func unshuffle(_ a: Row, _ b: Row) -> (even: Row, odd: Row) {
        let joined = SIMD16(lowHalf: a, highHalf: b)
        return (joined.evenHalf, joined.oddHalf)
    }

    /// The transpose of the 8 × 8 matrix whose rows are `rows.0 … rows.7`: row c of the
    /// result is column c of the input.
    @inline(__always)
    static func transpose(_ rows: (Row, Row, Row, Row, Row, Row, Row, Row))
        -> (Row, Row, Row, Row, Row, Row, Row, Row) {
        var (r0, r1, r2, r3, r4, r5, r6, r7) = rows
        for _ in 0..<3 {
            let (a0, a4) = unshuffle(r0, r1)
            let (a1, a5) = unshuffle(r2, r3)
            let (a2, a6) = unshuffle(r4, r5)
            let (a3, a7) = unshuffle(r6, r7)
            (r0, r1, r2, r3, r4, r5, r6, r7) = (a0, a1, a2, a3, a4, a5, a6, a7)
        }
        return (r0, r1, r2, r3, r4, r5, r6, r7)
    }

    @inline(__always)
    static func store(_ row: Row, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: row, as: Row.self)
    }

    /// Stores the rows of a transposed block at `pointer`, `stride` floats apart: all 8,
    /// or with `lastRow: false` the first 7 (where a full vector for the last row would
    /// run past the end of the caller's buffer, and the caller writes its lanes itself).
    @inline(__always)
    static func store(_ rows: (Row, Row, Row, Row, Row, Row, Row, Row), _ pointer: UnsafeMutablePointer<Float>,
                      stride: Int, lastRow: Bool = true) {
        store(rows.0, pointer)
        store(rows.1, pointer + stride)
        store(rows.2, pointer + 2 * stride)
        store(rows.3, pointer + 3 * stride)
        store(rows.4, pointer + 4 * stride)
        store(rows.5, pointer + 5 * stride)
        store(rows.6, pointer + 6 * stride)
        if lastRow { store(rows.7, pointer + 7 * stride) }
    }
}
