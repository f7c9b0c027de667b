/// VP8 intra prediction (RFC 6386 §12) on libwebp's 32-byte-stride work buffer: each
/// predictor writes a block at `dst` from the row above (`dst - stride`) and the column
/// to the left (`dst - 1`), which the caller has filled with neighbours or the 127 / 129
/// border values.
enum VP8IntraPrediction {
    /// Stride of the work buffer (libwebp's `BPS`).
    static let stride = 32

    // Mode numbers (libwebp's common_dec.h).
    static let dc = 0, trueMotion = 1, vertical = 2, horizontal = 3
    static let dcNoTop = 4, dcNoLeft = 5, dcNoTopLeft = 6

    @inline(__always) static func avg3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        UInt8((Int(a) + 2 * Int(b) + Int(c) + 2) >> 2)
    }
    @inline(__always) static func avg2(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Int(a) + Int(b) + 1) >> 1) }
    @inline(__always) static func clip(_ v: Int) -> UInt8 { v < 0 ? 0 : v > 255 ? 255 : UInt8(v) }

    @inline(__always) static func fill(_ dst: UnsafeMutablePointer<UInt8>, size: Int, _ value: UInt8) {
        for y in 0..<size { (dst + y * stride).update(repeating: value, count: size) }
    }

    /// 16x16 luma (modes 0…6) or, with `size` 8, one 8x8 chroma plane.
    static func predictBlock(_ mode: Int, _ dst: UnsafeMutablePointer<UInt8>, size: Int) {
        let s = stride
        let shift = size == 16 ? 4 : 3
        switch mode {
        case dc:
            var sum = size
            for j in 0..<size { sum += Int(dst[-1 + j * s]) + Int(dst[j - s]) }
            fill(dst, size: size, UInt8(sum >> (shift + 1)))
        case dcNoTop:
            var sum = size >> 1
            for j in 0..<size { sum += Int(dst[-1 + j * s]) }
            fill(dst, size: size, UInt8(sum >> shift))
        case dcNoLeft:
            var sum = size >> 1
            for j in 0..<size { sum += Int(dst[j - s]) }
            fill(dst, size: size, UInt8(sum >> shift))
        case dcNoTopLeft:
            fill(dst, size: size, 0x80)
        case trueMotion:
            trueMotionPredict(dst, size: size)
        case vertical:
            for j in 0..<size { (dst + j * s).update(from: dst - s, count: size) }
        default:   // horizontal
            for j in 0..<size { (dst + j * s).update(repeating: dst[j * s - 1], count: size) }
        }
    }

    @inline(__always) static func trueMotionPredict(_ dst: UnsafeMutablePointer<UInt8>, size: Int) {
        let s = stride
        let topLeft = Int(dst[-s - 1])
        for y in 0..<size {
            let left = Int(dst[y * s - 1]) - topLeft
            for x in 0..<size { dst[y * s + x] = clip(Int(dst[x - s]) + left) }
        }
    }

    /// One 4x4 luma sub-block in mode 0…9 (B_DC … B_HU).
    static func predictSubblock(_ mode: UInt8, _ dst: UnsafeMutablePointer<UInt8>) {
        let s = stride
        @inline(__always) func put(_ x: Int, _ y: Int, _ v: UInt8) { dst[x + y * s] = v }
        switch mode {
        case 0:   // DC
            var sum = 4
            for i in 0..<4 { sum += Int(dst[i - s]) + Int(dst[-1 + i * s]) }
            fill(dst, size: 4, UInt8(sum >> 3))
        case 1:
            trueMotionPredict(dst, size: 4)
        case 2:   // VE, smoothed
            let t = dst - s
            let v0 = avg3(t[-1], t[0], t[1]), v1 = avg3(t[0], t[1], t[2])
            let v2 = avg3(t[1], t[2], t[3]), v3 = avg3(t[2], t[3], t[4])
            for y in 0..<4 { put(0, y, v0); put(1, y, v1); put(2, y, v2); put(3, y, v3) }
        case 3:   // HE, smoothed
            let a = dst[-1 - s], b = dst[-1], c = dst[-1 + s], d = dst[-1 + 2 * s], e = dst[-1 + 3 * s]
            (dst + 0 * s).update(repeating: avg3(a, b, c), count: 4)
            (dst + 1 * s).update(repeating: avg3(b, c, d), count: 4)
            (dst + 2 * s).update(repeating: avg3(c, d, e), count: 4)
            (dst + 3 * s).update(repeating: avg3(d, e, e), count: 4)
        case 4:   // RD
            let i = dst[-1], j = dst[-1 + s], k = dst[-1 + 2 * s], l = dst[-1 + 3 * s]
            let x = dst[-1 - s], a = dst[-s], b = dst[1 - s], c = dst[2 - s], d = dst[3 - s]
            put(0, 3, avg3(j, k, l))
            let v1 = avg3(i, j, k); put(1, 3, v1); put(0, 2, v1)
            let v2 = avg3(x, i, j); put(2, 3, v2); put(1, 2, v2); put(0, 1, v2)
            let v3 = avg3(a, x, i); put(3, 3, v3); put(2, 2, v3); put(1, 1, v3); put(0, 0, v3)
            let v4 = avg3(b, a, x); put(3, 2, v4); put(2, 1, v4); put(1, 0, v4)
            let v5 = avg3(c, b, a); put(3, 1, v5); put(2, 0, v5)
            put(3, 0, avg3(d, c, b))
        case 5:   // VR
            let i = dst[-1], j = dst[-1 + s], k = dst[-1 + 2 * s]
            let x = dst[-1 - s], a = dst[-s], b = dst[1 - s], c = dst[2 - s], d = dst[3 - s]
            let xa = avg2(x, a); put(0, 0, xa); put(1, 2, xa)
            let ab = avg2(a, b); put(1, 0, ab); put(2, 2, ab)
            let bc = avg2(b, c); put(2, 0, bc); put(3, 2, bc)
            put(3, 0, avg2(c, d))
            put(0, 3, avg3(k, j, i))
            put(0, 2, avg3(j, i, x))
            let ixa = avg3(i, x, a); put(0, 1, ixa); put(1, 3, ixa)
            let xab = avg3(x, a, b); put(1, 1, xab); put(2, 3, xab)
            let abc = avg3(a, b, c); put(2, 1, abc); put(3, 3, abc)
            put(3, 1, avg3(b, c, d))
        case 6:   // LD
            let t = dst - s
            let a = t[0], b = t[1], c = t[2], d = t[3], e = t[4], f = t[5], g = t[6], h = t[7]
            put(0, 0, avg3(a, b, c))
            let v1 = avg3(b, c, d); put(1, 0, v1); put(0, 1, v1)
            let v2 = avg3(c, d, e); put(2, 0, v2); put(1, 1, v2); put(0, 2, v2)
            let v3 = avg3(d, e, f); put(3, 0, v3); put(2, 1, v3); put(1, 2, v3); put(0, 3, v3)
            let v4 = avg3(e, f, g); put(3, 1, v4); put(2, 2, v4); put(1, 3, v4)
            let v5 = avg3(f, g, h); put(3, 2, v5); put(2, 3, v5)
            put(3, 3, avg3(g, h, h))
        case 7:   // VL
            let t = dst - s
            let a = t[0], b = t[1], c = t[2], d = t[3], e = t[4], f = t[5], g = t[6], h = t[7]
            put(0, 0, avg2(a, b))
            let bc = avg2(b, c); put(1, 0, bc); put(0, 2, bc)
            let cd = avg2(c, d); put(2, 0, cd); put(1, 2, cd)
            let de = avg2(d, e); put(3, 0, de); put(2, 2, de)
            put(0, 1, avg3(a, b, c))
            let bcd = avg3(b, c, d); put(1, 1, bcd); put(0, 3, bcd)
            let cde = avg3(c, d, e); put(2, 1, cde); put(1, 3, cde)
            let def = avg3(d, e, f); put(3, 1, def); put(2, 3, def)
            put(3, 2, avg3(e, f, g))
            put(3, 3, avg3(f, g, h))
        case 8:   // HD
            let i = dst[-1], j = dst[-1 + s], k = dst[-1 + 2 * s], l = dst[-1 + 3 * s]
            let x = dst[-1 - s], a = dst[-s], b = dst[1 - s], c = dst[2 - s]
            let ix = avg2(i, x); put(0, 0, ix); put(2, 1, ix)
            let ji = avg2(j, i); put(0, 1, ji); put(2, 2, ji)
            let kj = avg2(k, j); put(0, 2, kj); put(2, 3, kj)
            put(0, 3, avg2(l, k))
            put(3, 0, avg3(a, b, c))
            put(2, 0, avg3(x, a, b))
            let ixa = avg3(i, x, a); put(1, 0, ixa); put(3, 1, ixa)
            let jix = avg3(j, i, x); put(1, 1, jix); put(3, 2, jix)
            let kji = avg3(k, j, i); put(1, 2, kji); put(3, 3, kji)
            put(1, 3, avg3(l, k, j))
        default:  // 9: HU
            let i = dst[-1], j = dst[-1 + s], k = dst[-1 + 2 * s], l = dst[-1 + 3 * s]
            put(0, 0, avg2(i, j))
            let jk = avg2(j, k); put(2, 0, jk); put(0, 1, jk)
            let kl = avg2(k, l); put(2, 1, kl); put(0, 2, kl)
            put(1, 0, avg3(i, j, k))
            let jkl = avg3(j, k, l); put(3, 0, jkl); put(1, 1, jkl)
            let kll = avg3(k, l, l); put(3, 1, kll); put(1, 2, kll)
            put(3, 2, l); put(2, 2, l); put(0, 3, l); put(1, 3, l); put(2, 3, l); put(3, 3, l)
        }
    }
}
