/// The VP8 inverse transforms (RFC 6386 §14.3, §14.4) as libwebp computes them: the
/// 4x4 integer DCT added onto the prediction (with its DC-only and three-coefficient
/// shortcuts, which are exact specialisations) and the Walsh–Hadamard transform of the
/// luma DC coefficients.
enum VP8InverseTransforms {
    @inline(__always) static func mul1(_ a: Int) -> Int { ((a * 20091) >> 16) + a }
    @inline(__always) static func mul2(_ a: Int) -> Int { (a * 35468) >> 16 }
    @inline(__always) static func clip8(_ v: Int) -> UInt8 { v & ~0xFF == 0 ? UInt8(v) : v < 0 ? 0 : 255 }

    @inline(__always) static func store(_ dst: UnsafeMutablePointer<UInt8>, _ x: Int, _ y: Int, _ v: Int) {
        let p = dst + x + y * VP8IntraPrediction.stride
        p.pointee = clip8(Int(p.pointee) + (v >> 3))
    }

    /// Adds the inverse DCT of the 16 coefficients at `input` to the 4x4 block at `dst`.
    static func addInverseDCT(_ input: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        var tmp = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            for i in 0..<4 {   // vertical pass
                let i0 = Int(input[i]), i4 = Int(input[4 + i]), i8 = Int(input[8 + i]), i12 = Int(input[12 + i])
                let a = i0 + i8, b = i0 - i8
                let c = mul2(i4) - mul1(i12), d = mul1(i4) + mul2(i12)
                t[4 * i] = a + d; t[4 * i + 1] = b + c; t[4 * i + 2] = b - c; t[4 * i + 3] = a - d
            }
            for i in 0..<4 {   // horizontal pass
                let dc = t[i] + 4
                let a = dc + t[8 + i], b = dc - t[8 + i]
                let c = mul2(t[4 + i]) - mul1(t[12 + i]), d = mul1(t[4 + i]) + mul2(t[12 + i])
                store(dst, 0, i, a + d); store(dst, 1, i, b + c); store(dst, 2, i, b - c); store(dst, 3, i, a - d)
            }
        }
    }

    /// The DCT when only `input[0]` is non-zero.
    static func addDC(_ input: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        let dc = Int(input[0]) + 4
        for y in 0..<4 { for x in 0..<4 { store(dst, x, y, dc) } }
    }

    /// The DCT when only `input[0]`, `input[1]` and `input[4]` are non-zero.
    static func addAC3(_ input: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        let a = Int(input[0]) + 4
        let c4 = mul2(Int(input[4])), d4 = mul1(Int(input[4]))
        let c1 = mul2(Int(input[1])), d1 = mul1(Int(input[1]))
        @inline(__always) func row(_ y: Int, _ dc: Int) {
            store(dst, 0, y, dc + d1); store(dst, 1, y, dc + c1); store(dst, 2, y, dc - c1); store(dst, 3, y, dc - d1)
        }
        row(0, a + d4); row(1, a + c4); row(2, a - c4); row(3, a - d4)
    }

    /// The inverse WHT of the 16 luma DC values at `input`, written to the DC slot of
    /// each of the 16 luma blocks in `output` (stride 16).
    static func inverseWHT(_ input: UnsafePointer<Int16>, _ output: UnsafeMutablePointer<Int16>) {
        var storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { raw in
        let t = raw.baseAddress!.assumingMemoryBound(to: Int.self)
        for i in 0..<4 {
            let a0 = Int(input[i]) + Int(input[12 + i]), a1 = Int(input[4 + i]) + Int(input[8 + i])
            let a2 = Int(input[4 + i]) - Int(input[8 + i]), a3 = Int(input[i]) - Int(input[12 + i])
            t[i] = a0 + a1; t[8 + i] = a0 - a1; t[4 + i] = a3 + a2; t[12 + i] = a3 - a2
        }
        for i in 0..<4 {
            let dc = t[i * 4] + 3
            let a0 = dc + t[3 + i * 4], a1 = t[1 + i * 4] + t[2 + i * 4]
            let a2 = t[1 + i * 4] - t[2 + i * 4], a3 = dc - t[3 + i * 4]
            let out = output + 64 * i
            out[0] = Int16(truncatingIfNeeded: (a0 + a1) >> 3)
            out[16] = Int16(truncatingIfNeeded: (a3 + a2) >> 3)
            out[32] = Int16(truncatingIfNeeded: (a0 - a1) >> 3)
            out[48] = Int16(truncatingIfNeeded: (a3 - a2) >> 3)
        }
        }
    }
}
