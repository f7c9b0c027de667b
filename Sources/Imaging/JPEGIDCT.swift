import Tensor

/// libjpeg's `jpeg_idct_islow` (jidctint.c), the default "ISLOW" inverse DCT: integer
/// arithmetic with 13-bit constants, bit-for-bit as libjpeg-turbo computes it (its SIMD
/// versions are exact to the C code), including the output range-limit table.
enum JPEGIDCT {
    static let constBits = 13, pass1Bits = 2
    static let fix0_298631336 = 2446, fix0_390180644 = 3196, fix0_541196100 = 4433, fix0_765366865 = 6270
    static let fix0_899976223 = 7373, fix1_175875602 = 9633, fix1_501321110 = 12299, fix1_847759065 = 15137
    static let fix1_961570560 = 16069, fix2_053119869 = 16819, fix2_562915447 = 20995, fix3_072711026 = 25172

    /// libjpeg's post-IDCT range-limit table, indexed by `value & 1023`: values in
    /// [−128, 127] map to value + 128, [128, 511] to 255, [−512, −129] to 0.
    static let rangeLimit: [UInt8] = (0..<1024).map { i in
        if i < 128 { return UInt8(i + 128) }
        if i < 512 { return 255 }
        if i < 896 { return 0 }
        return UInt8(i - 896)
    }

    @inline(__always) static func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }

    /// The sample planes of every component: `blocksPerLine·8` wide, `blocksPerColumn·8` high.
    static func reconstruct(_ f: JPEGDecoder.Frame, quant: [[Int]]) -> [[UInt8]] {
        f.components.map { c in
            let stride = c.blocksPerLine * 8
            var plane = [UInt8](repeating: 0, count: stride * c.blocksPerColumn * 8)
            let q = quant[c.quantTable]
            c.coefficients.withUnsafeBufferPointer { coefficients in
                plane.withUnsafeMutableBufferPointer { out in
                    let blocks = c.blocksPerLine * c.blocksPerColumn
                    parallelFor(blocks, grain: 2048) { range in
                        var workspace = [Int](repeating: 0, count: 64)
                        for b in range {
                            let row = b / c.blocksPerLine, column = b % c.blocksPerLine
                            idct(coefficients.baseAddress! + b * 64, q, &workspace,
                                 out.baseAddress! + row * 8 * stride + column * 8, stride)
                        }
                    }
                }
            }
            return plane
        }
    }

    static func idct(_ input: UnsafePointer<Int16>, _ q: [Int], _ ws: inout [Int], _ out: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        // Pass 1: columns, into the workspace, scaled up by 2^pass1Bits.
        for col in 0..<8 {
            func coef(_ row: Int) -> Int { Int(input[row * 8 + col]) * q[row * 8 + col] }
            if input[8 + col] == 0 && input[16 + col] == 0 && input[24 + col] == 0 && input[32 + col] == 0
                && input[40 + col] == 0 && input[48 + col] == 0 && input[56 + col] == 0 {
                let dc = coef(0) << pass1Bits
                for row in 0..<8 { ws[row * 8 + col] = dc }
                continue
            }
            var z2 = coef(2), z3 = coef(6)
            var z1 = (z2 + z3) * fix0_541196100
            let tmp2e = z1 + z3 * -fix1_847759065
            let tmp3e = z1 + z2 * fix0_765366865
            z2 = coef(0); z3 = coef(4)
            let tmp0e = (z2 + z3) << constBits
            let tmp1e = (z2 - z3) << constBits
            let tmp10 = tmp0e + tmp3e, tmp13 = tmp0e - tmp3e, tmp11 = tmp1e + tmp2e, tmp12 = tmp1e - tmp2e
            var tmp0 = coef(7), tmp1 = coef(5), tmp2 = coef(3), tmp3 = coef(1)
            z1 = tmp0 + tmp3; z2 = tmp1 + tmp2; z3 = tmp0 + tmp2
            var z4 = tmp1 + tmp3
            let z5 = (z3 + z4) * fix1_175875602
            tmp0 *= fix0_298631336; tmp1 *= fix2_053119869; tmp2 *= fix3_072711026; tmp3 *= fix1_501321110
            z1 *= -fix0_899976223; z2 *= -fix2_562915447; z3 *= -fix1_961570560; z4 *= -fix0_390180644
            z3 += z5; z4 += z5
            tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4
            let shift = constBits - pass1Bits
            ws[0 * 8 + col] = descale(tmp10 + tmp3, shift); ws[7 * 8 + col] = descale(tmp10 - tmp3, shift)
            ws[1 * 8 + col] = descale(tmp11 + tmp2, shift); ws[6 * 8 + col] = descale(tmp11 - tmp2, shift)
            ws[2 * 8 + col] = descale(tmp12 + tmp1, shift); ws[5 * 8 + col] = descale(tmp12 - tmp1, shift)
            ws[3 * 8 + col] = descale(tmp13 + tmp0, shift); ws[4 * 8 + col] = descale(tmp13 - tmp0, shift)
        }
        // Pass 2: rows, descaled by 2^(constBits + pass1Bits + 3), range-limited.
        let shift = constBits + pass1Bits + 3
        for row in 0..<8 {
            let w = row * 8
            let o = out + row * stride
            if ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0 && ws[w + 6] == 0 && ws[w + 7] == 0 {
                let value = rangeLimit[descale(ws[w], pass1Bits + 3) & 1023]
                for i in 0..<8 { o[i] = value }
                continue
            }
            var z2 = ws[w + 2], z3 = ws[w + 6]
            var z1 = (z2 + z3) * fix0_541196100
            let tmp2e = z1 + z3 * -fix1_847759065
            let tmp3e = z1 + z2 * fix0_765366865
            let tmp0e = (ws[w] + ws[w + 4]) << constBits
            let tmp1e = (ws[w] - ws[w + 4]) << constBits
            let tmp10 = tmp0e + tmp3e, tmp13 = tmp0e - tmp3e, tmp11 = tmp1e + tmp2e, tmp12 = tmp1e - tmp2e
            var tmp0 = ws[w + 7], tmp1 = ws[w + 5], tmp2 = ws[w + 3], tmp3 = ws[w + 1]
            z1 = tmp0 + tmp3; z2 = tmp1 + tmp2; z3 = tmp0 + tmp2
            var z4 = tmp1 + tmp3
            let z5 = (z3 + z4) * fix1_175875602
            tmp0 *= fix0_298631336; tmp1 *= fix2_053119869; tmp2 *= fix3_072711026; tmp3 *= fix1_501321110
            z1 *= -fix0_899976223; z2 *= -fix2_562915447; z3 *= -fix1_961570560; z4 *= -fix0_390180644
            z3 += z5; z4 += z5
            tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4
            o[0] = rangeLimit[descale(tmp10 + tmp3, shift) & 1023]; o[7] = rangeLimit[descale(tmp10 - tmp3, shift) & 1023]
            o[1] = rangeLimit[descale(tmp11 + tmp2, shift) & 1023]; o[6] = rangeLimit[descale(tmp11 - tmp2, shift) & 1023]
            o[2] = rangeLimit[descale(tmp12 + tmp1, shift) & 1023]; o[5] = rangeLimit[descale(tmp12 - tmp1, shift) & 1023]
            o[3] = rangeLimit[descale(tmp13 + tmp0, shift) & 1023]; o[4] = rangeLimit[descale(tmp13 - tmp0, shift) & 1023]
        }
    }
}
