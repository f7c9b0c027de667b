/// YUV 4:2:0 → RGB as libwebp emits it by default: "fancy" upsampling of the chroma (the
/// 9-3-3-1 bilinear kernel evaluated in libwebp's order and rounding, `UpsampleRgbaLinePair`)
/// and the 14-bit fixed-point BT.601 conversion (`VP8YUVToR/G/B`).
enum WebPYUVToRGB {
    @inline(__always) static func multHi(_ v: Int, _ c: Int) -> Int { (v * c) >> 8 }
    @inline(__always) static func clip8(_ v: Int) -> UInt8 {
        v & ~16383 == 0 ? UInt8(v >> 6) : v < 0 ? 0 : 255
    }
    @inline(__always) static func store(_ y: Int, _ u: Int, _ v: Int, _ dst: UnsafeMutablePointer<UInt8>) {
        let yy = multHi(y, 19077)
        dst[0] = clip8(yy + multHi(v, 26149) - 14234)
        dst[1] = clip8(yy - multHi(u, 6419) - multHi(v, 13320) + 8708)
        dst[2] = clip8(yy + multHi(u, 33050) - 17685)
    }

    /// Converts `planes` to `width × height` RGB written at `out` with row stride
    /// `outStride` bytes.
    static func convert(_ planes: VP8Decoder.Planes, to out: UnsafeMutablePointer<UInt8>, outStride: Int) {
        let w = planes.width, h = planes.height
        let uvRows = (h + 1) / 2
        planes.y.withUnsafeBufferPointer { yp in
            planes.u.withUnsafeBufferPointer { up in
                planes.v.withUnsafeBufferPointer { vp in
                    let y = yp.baseAddress!, u = up.baseAddress!, v = vp.baseAddress!
                    for row in 0..<h {
                        // Row `row` blends chroma rows `near` (weight 3) and `far` (weight 1).
                        let near: Int, far: Int
                        if row == 0 {
                            near = 0; far = 0
                        } else if row & 1 == 1 {
                            near = (row - 1) >> 1; far = min(near + 1, uvRows - 1)
                        } else {
                            near = row >> 1; far = near - 1
                        }
                        // libwebp's last even-height row uses the last chroma row twice.
                        let farRow = row & 1 == 1 && (row + 1) >> 1 >= uvRows ? near : far
                        upsampleLine(y + row * planes.yStride, near: u + near * planes.uvStride, v + near * planes.uvStride,
                                     far: u + farRow * planes.uvStride, v + farRow * planes.uvStride,
                                     width: w, out: out + row * outStride)
                    }
                }
            }
        }
    }

    /// One output row: chroma at 3/4 from the `near` rows and 1/4 from the `far` rows,
    /// then horizontally as in `UpsampleRgbaLinePair`.
    @inline(__always) static func upsampleLine(_ y: UnsafePointer<UInt8>,
                                               near nu: UnsafePointer<UInt8>, _ nv: UnsafePointer<UInt8>,
                                               far fu: UnsafePointer<UInt8>, _ fv: UnsafePointer<UInt8>,
                                               width len: Int, out: UnsafeMutablePointer<UInt8>) {
        // libwebp's (top, cur) pair: `t*` is the far row's sample for the top output line of
        // the pair, but the formula is symmetric in which row is "near", so we use near/far
        // directly: near = weight-3 row at each phase.
        var nlu = Int(nu[0]), nlv = Int(nv[0])   // near, left
        var flu = Int(fu[0]), flv = Int(fv[0])   // far, left
        store(Int(y[0]), (3 * nlu + flu + 2) >> 2, (3 * nlv + flv + 2) >> 2, out)
        let lastPair = (len - 1) >> 1
        if lastPair >= 1 {
            for x in 1...lastPair {
                let nu1 = Int(nu[x]), nv1 = Int(nv[x]), fu1 = Int(fu[x]), fv1 = Int(fv[x])
                // Pixel 2x-1 is nearest (near, left); pixel 2x nearest (near, right).
                let avgU = nlu + nu1 + flu + fu1 + 8, avgV = nlv + nv1 + flv + fv1 + 8
                let diagFarLeftNearRightU = (avgU + 2 * (flu + nu1)) >> 3
                let diagNearLeftFarRightU = (avgU + 2 * (nlu + fu1)) >> 3
                let diagFarLeftNearRightV = (avgV + 2 * (flv + nv1)) >> 3
                let diagNearLeftFarRightV = (avgV + 2 * (nlv + fv1)) >> 3
                store(Int(y[2 * x - 1]), (diagFarLeftNearRightU + nlu) >> 1, (diagFarLeftNearRightV + nlv) >> 1,
                      out + 3 * (2 * x - 1))
                store(Int(y[2 * x]), (diagNearLeftFarRightU + nu1) >> 1, (diagNearLeftFarRightV + nv1) >> 1,
                      out + 3 * (2 * x))
                nlu = nu1; nlv = nv1; flu = fu1; flv = fv1
            }
        }
        if len & 1 == 0 {
            store(Int(y[len - 1]), (3 * nlu + flu + 2) >> 2, (3 * nlv + flv + 2) >> 2, out + 3 * (len - 1))
        }
    }
}
