/// VP8 residual token decoding (RFC 6386 §13): the coefficient tokens of one macroblock
/// read against the frame's probabilities, dequantised and put in raster order, with the
/// non-zero contexts carried between neighbouring blocks — libwebp's `ParseResiduals`.
struct VP8Residuals {
    static let zigzag: [Int] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]
    /// Band of each coefficient position, with a sentinel for position 16.
    static let bands: [Int] = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0]
    static let cat3: [Int] = [173, 148, 140], cat4: [Int] = [176, 155, 140, 135]
    static let cat5: [Int] = [180, 157, 141, 134, 130]
    static let cat6: [Int] = [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129]

    /// Flat token probabilities (from the frame header).
    let probabilities: [UInt8]

    @inline(__always) func base(_ type: Int, _ n: Int, _ ctx: Int) -> Int {
        ((type * 8 + Self.bands[n]) * 3 + ctx) * 11
    }

    private func largeValue(_ br: inout VP8BoolDecoder, _ p: Int) -> Int {
        let P = probabilities
        if br.bit(Int(P[p + 3])) == 0 {
            return br.bit(Int(P[p + 4])) == 0 ? 2 : 3 + br.bit(Int(P[p + 5]))
        }
        if br.bit(Int(P[p + 6])) == 0 {
            if br.bit(Int(P[p + 7])) == 0 { return 5 + br.bit(159) }
            var v = 7 + 2 * br.bit(165)
            v += br.bit(145)
            return v
        }
        let bit1 = br.bit(Int(P[p + 8]))
        let bit0 = br.bit(Int(P[p + 9 + bit1]))
        let cat = 2 * bit1 + bit0
        let table = cat == 0 ? Self.cat3 : cat == 1 ? Self.cat4 : cat == 2 ? Self.cat5 : Self.cat6
        var v = 0
        for prob in table { v += v + br.bit(prob) }
        return v + 3 + (8 << cat)
    }

    /// Decodes the tokens of one 4x4 block of `type` from position `first`; returns the
    /// position after the last non-zero coefficient (libwebp's `GetCoeffs`).
    func coefficients(_ br: inout VP8BoolDecoder, type: Int, ctx: Int, dc: Int32, ac: Int32, first: Int,
                      _ out: UnsafeMutablePointer<Int16>) -> Int {
        let P = probabilities
        var n = first
        var p = base(type, n, ctx)
        while n < 16 {
            if br.bit(Int(P[p])) == 0 { return n }
            while br.bit(Int(P[p + 1])) == 0 {
                n += 1
                p = base(type, n, 0)
                if n == 16 { return 16 }
            }
            let v: Int
            if br.bit(Int(P[p + 2])) == 0 {
                v = 1
                p = base(type, n + 1, 1)
            } else {
                v = largeValue(&br, p)
                p = base(type, n + 1, 2)
            }
            out[Self.zigzag[n]] = Int16(truncatingIfNeeded: br.signed(v) * Int(n > 0 ? ac : dc))
            n += 1
        }
        return 16
    }
}
