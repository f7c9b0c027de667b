/// Decodes a VP8 key frame (a WebP `VP8 ` chunk) to Y, U and V planes, macroblock by
/// macroblock as libwebp does: modes from the first partition, tokens from the row's
/// partition, prediction and inverse transforms in a 32-byte-stride work buffer (so the
/// borders — 127 above, 129 to the left, the replicated top-right — match exactly), then
/// the loop filter over the whole frame in raster order (prediction only ever reads
/// unfiltered samples, so filtering afterwards is the same as libwebp's delayed rows).
struct VP8Decoder {
    /// The decoded planes, padded to whole macroblocks: luma `mbWidth·16` wide, chroma
    /// `mbWidth·8` wide.
    struct Planes {
        var width: Int, height: Int
        var yStride: Int, uvStride: Int
        var y: [UInt8], u: [UInt8], v: [UInt8]
    }

    // Work-buffer layout (libwebp's BPS, Y_OFF, U_OFF, V_OFF).
    static let bps = VP8IntraPrediction.stride
    static let yOffset = bps * 1 + 8
    static let uOffset = yOffset + bps * 16 + bps
    static let vOffset = uOffset + 16
    static let workSize = bps * 17 + bps * 9

    /// Decodes `payload`, the bytes of a VP8 chunk. The caller has checked the
    /// dimensions against the pixel limit (`VP8FrameHeader.parseDimensions`).
    static func decode(_ payload: UnsafeBufferPointer<UInt8>) throws -> Planes {
        var first: VP8BoolDecoder? = nil
        let h = try VP8FrameHeader.parse(payload, reader: &first)
        guard var br = first else { throw ImageError(.corrupt, "WebP VP8 header") }
        let mbW = h.mbWidth, mbH = h.mbHeight
        let yStride = mbW * 16, uvStride = mbW * 8
        var planes = Planes(width: h.width, height: h.height, yStride: yStride, uvStride: uvStride,
                            y: [UInt8](repeating: 0, count: yStride * mbH * 16),
                            u: [UInt8](repeating: 0, count: uvStride * mbH * 8),
                            v: [UInt8](repeating: 0, count: uvStride * mbH * 8))
        var tokenReaders = h.partitions.map { VP8BoolDecoder(payload.baseAddress! + $0.lowerBound, count: $0.count) }
        let residuals = VP8Residuals(probabilities: h.coefficientProbabilities)
        let strengths = VP8LoopFilter.strengths(h)
        let filterType = h.filterType

        // Per-column state: sub-block mode context above, non-zero flags above, unfiltered
        // top samples (16 y + 8 u + 8 v) and filter parameters for the row.
        var intraTop = [UInt8](repeating: 0, count: 4 * mbW)
        var intraLeft = [UInt8](repeating: 0, count: 4)
        var nzTop = [UInt32](repeating: 0, count: mbW), nzDCTop = [Int](repeating: 0, count: mbW)
        var topSamples = [UInt8](repeating: 0, count: 32 * mbW)
        var filterInfo = [[VP8LoopFilter.Strength]](repeating: [VP8LoopFilter.Strength](repeating: .init(), count: mbW), count: mbH)
        var work = [UInt8](repeating: 0, count: workSize)
        var coefficients = [Int16](repeating: 0, count: 384 + 16)   // + the luma DC scratch
        var rowHeaders = [VP8MacroblockHeader](repeating: VP8MacroblockHeader(), count: mbW)

        for mbY in 0..<mbH {
            intraTop.withUnsafeMutableBufferPointer { top in
                intraLeft.withUnsafeMutableBufferPointer { left in
                    for mbX in 0..<mbW {
                        rowHeaders[mbX] = VP8MacroblockHeader.parse(&br, header: h, top: top.baseAddress! + 4 * mbX,
                                                                    left: left.baseAddress!)
                    }
                }
            }
            guard !br.atEnd else { throw ImageError(.truncated, "WebP VP8 first partition ends early") }
            let partition = mbY & (tokenReaders.count - 1)
            var nzLeft: UInt32 = 0, nzDCLeft = 0
            for j in 0..<4 { intraLeft[j] = 0 }
            for mbX in 0..<mbW {
                let mb = rowHeaders[mbX]
                let q = h.quantizers[mb.segment]
                var nonZeroY: UInt32 = 0, nonZeroUV: UInt32 = 0
                var skip = h.skipProbability != nil ? mb.skip : false
                for k in 0..<384 { coefficients[k] = 0 }
                if !skip {
                    coefficients.withUnsafeMutableBufferPointer { c in
                        parseResiduals(&tokenReaders[partition], residuals, mb, q, c.baseAddress!,
                                       nzTop: &nzTop[mbX], nzDCTop: &nzDCTop[mbX], nzLeft: &nzLeft, nzDCLeft: &nzDCLeft,
                                       nonZeroY: &nonZeroY, nonZeroUV: &nonZeroUV)
                    }
                    skip = nonZeroY | nonZeroUV == 0
                } else {
                    nzTop[mbX] = 0; nzLeft = 0
                    if !mb.isI4x4 { nzDCTop[mbX] = 0; nzDCLeft = 0 }
                }
                guard !tokenReaders[partition].atEnd else { throw ImageError(.truncated, "WebP VP8 token partition ends early") }
                if filterType > 0 {
                    var info = strengths[mb.segment][mb.isI4x4 ? 1 : 0]
                    info.filterInner = info.filterInner || !skip
                    filterInfo[mbY][mbX] = info
                }
                work.withUnsafeMutableBufferPointer { w in
                    coefficients.withUnsafeBufferPointer { c in
                        topSamples.withUnsafeMutableBufferPointer { t in
                            reconstruct(mb, mbX: mbX, mbY: mbY, mbW: mbW, mbH: mbH, work: w.baseAddress!, coefficients: c.baseAddress!,
                                        nonZeroY: nonZeroY, nonZeroUV: nonZeroUV, top: t.baseAddress!)
                        }
                    }
                    // Copy the macroblock out to the planes.
                    for j in 0..<16 {
                        let dst = (mbY * 16 + j) * yStride + mbX * 16
                        for i in 0..<16 { planes.y[dst + i] = w[yOffset + j * bps + i] }
                    }
                    for j in 0..<8 {
                        let dst = (mbY * 8 + j) * uvStride + mbX * 8
                        for i in 0..<8 {
                            planes.u[dst + i] = w[uOffset + j * bps + i]
                            planes.v[dst + i] = w[vOffset + j * bps + i]
                        }
                    }
                }
            }
        }
        if filterType > 0 {
            planes.y.withUnsafeMutableBufferPointer { y in
                planes.u.withUnsafeMutableBufferPointer { u in
                    planes.v.withUnsafeMutableBufferPointer { v in
                        for mbY in 0..<mbH {
                            for mbX in 0..<mbW {
                                VP8LoopFilter.filterMacroblock(filterInfo[mbY][mbX], simple: filterType == 1, mbX: mbX, mbY: mbY,
                                                               y: y.baseAddress!, u: u.baseAddress!, v: v.baseAddress!,
                                                               yStride: yStride, uvStride: uvStride)
                            }
                        }
                    }
                }
            }
        }
        return planes
    }

    @inline(__always) static func nzCode(_ bits: UInt32, _ nz: Int, _ dcNonZero: Bool) -> UInt32 {
        bits << 2 | (nz > 3 ? 3 : nz > 1 ? 2 : dcNonZero ? 1 : 0)
    }

    /// libwebp's `ParseResiduals`: the 25 (or 24) blocks of one macroblock.
    static func parseResiduals(_ br: inout VP8BoolDecoder, _ r: VP8Residuals, _ mb: VP8MacroblockHeader, _ q: VP8Quantizer,
                               _ coeffs: UnsafeMutablePointer<Int16>,
                               nzTop: inout UInt32, nzDCTop: inout Int, nzLeft: inout UInt32, nzDCLeft: inout Int,
                               nonZeroY: inout UInt32, nonZeroUV: inout UInt32) {
        var dst = coeffs
        let first: Int, acType: Int
        if !mb.isI4x4 {
            // The 16 luma DC values go to the scratch slots after the 384 coefficients.
            let dc = coeffs + 384
            dc.update(repeating: 0, count: 16)
            let ctx = nzDCTop + nzDCLeft
            let nz = r.coefficients(&br, type: 1, ctx: ctx, dc: q.y2.0, ac: q.y2.1, first: 0, dc)
            nzDCTop = nz > 0 ? 1 : 0
            nzDCLeft = nzDCTop
            if nz > 1 {
                VP8InverseTransforms.inverseWHT(dc, dst)
            } else {
                let dc0 = Int16(truncatingIfNeeded: (Int(dc[0]) + 3) >> 3)
                for i in stride(from: 0, to: 256, by: 16) { dst[i] = dc0 }
            }
            first = 1; acType = 0
        } else {
            first = 0; acType = 3
        }
        var tnz = nzTop & 0x0F
        var lnz = nzLeft & 0x0F
        for _ in 0..<4 {
            var l = lnz & 1
            var codes: UInt32 = 0
            for _ in 0..<4 {
                let ctx = Int(l + (tnz & 1))
                let nz = r.coefficients(&br, type: acType, ctx: ctx, dc: q.y1.0, ac: q.y1.1, first: first, dst)
                l = nz > first ? 1 : 0
                tnz = (tnz >> 1) | (l << 7)
                codes = nzCode(codes, nz, dst[0] != 0)
                dst += 16
            }
            tnz >>= 4
            lnz = (lnz >> 1) | (l << 7)
            nonZeroY = (nonZeroY << 8) | codes
        }
        var outTop = tnz
        var outLeft = lnz >> 4
        for ch in stride(from: 0, to: 4, by: 2) {
            var codes: UInt32 = 0
            tnz = nzTop >> (4 + UInt32(ch))
            lnz = nzLeft >> (4 + UInt32(ch))
            for _ in 0..<2 {
                var l = lnz & 1
                for _ in 0..<2 {
                    let ctx = Int(l + (tnz & 1))
                    let nz = r.coefficients(&br, type: 2, ctx: ctx, dc: q.uv.0, ac: q.uv.1, first: 0, dst)
                    l = nz > 0 ? 1 : 0
                    tnz = (tnz >> 1) | (l << 3)
                    codes = nzCode(codes, nz, dst[0] != 0)
                    dst += 16
                }
                tnz >>= 2
                lnz = (lnz >> 1) | (l << 5)
            }
            nonZeroUV |= codes << (4 * UInt32(ch))
            outTop |= (tnz << 4) << UInt32(ch)
            outLeft |= (lnz & 0xF0) << UInt32(ch)
        }
        nzTop = outTop
        nzLeft = outLeft
    }

    @inline(__always) static func transform(_ bits: UInt32, _ src: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        switch bits >> 30 {
        case 3: VP8InverseTransforms.addInverseDCT(src, dst)
        case 2: VP8InverseTransforms.addAC3(src, dst)
        case 1: VP8InverseTransforms.addDC(src, dst)
        default: break
        }
    }

    static func transformUV(_ bits: UInt32, _ src: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        guard bits & 0xFF != 0 else { return }
        @inline(__always) func offset(_ k: Int) -> Int { (k & 1) * 4 + (k >> 1) * 4 * bps }
        if bits & 0xAA != 0 {
            for k in 0..<4 { VP8InverseTransforms.addInverseDCT(src + 16 * k, dst + offset(k)) }
        } else {
            for k in 0..<4 where src[16 * k] != 0 { VP8InverseTransforms.addDC(src + 16 * k, dst + offset(k)) }
        }
    }

    /// libwebp's `ReconstructRow` for one macroblock.
    static func reconstruct(_ mb: VP8MacroblockHeader, mbX: Int, mbY: Int, mbW: Int, mbH: Int,
                            work: UnsafeMutablePointer<UInt8>, coefficients: UnsafePointer<Int16>,
                            nonZeroY: UInt32, nonZeroUV: UInt32, top: UnsafeMutablePointer<UInt8>) {
        let y = work + yOffset, u = work + uOffset, v = work + vOffset
        if mbX == 0 {
            for j in 0..<16 { y[j * bps - 1] = 129 }
            for j in 0..<8 { u[j * bps - 1] = 129; v[j * bps - 1] = 129 }
            if mbY > 0 {
                y[-1 - bps] = 129; u[-1 - bps] = 129; v[-1 - bps] = 129
            } else {
                (y - bps - 1).update(repeating: 127, count: 16 + 4 + 1)
                (u - bps - 1).update(repeating: 127, count: 8 + 1)
                (v - bps - 1).update(repeating: 127, count: 8 + 1)
            }
        } else {
            for j in -1..<16 { for k in 0..<4 { y[j * bps - 4 + k] = y[j * bps + 12 + k] } }
            for j in -1..<8 {
                for k in 0..<4 {
                    u[j * bps - 4 + k] = u[j * bps + 4 + k]
                    v[j * bps - 4 + k] = v[j * bps + 4 + k]
                }
            }
        }
        let t = top + 32 * mbX
        if mbY > 0 {
            (y - bps).update(from: t, count: 16)
            (u - bps).update(from: t + 16, count: 8)
            (v - bps).update(from: t + 24, count: 8)
        }
        var bits = nonZeroY
        if mb.isI4x4 {
            let topRight = y - bps + 16
            if mbY > 0 {
                if mbX >= mbW - 1 {
                    topRight.update(repeating: t[15], count: 4)
                } else {
                    topRight.update(from: top + 32 * (mbX + 1), count: 4)
                }
            }
            for r in 1...3 { (topRight + r * 4 * bps).update(from: topRight, count: 4) }
            for n in 0..<16 {
                let dst = y + (n & 3) * 4 + (n >> 2) * 4 * bps
                VP8IntraPrediction.predictSubblock(mb.modes[n], dst)
                transform(bits, coefficients + 16 * n, dst)
                bits <<= 2
            }
        } else {
            VP8IntraPrediction.predictBlock(checkMode(mbX, mbY, Int(mb.modes[0])), y, size: 16)
            if bits != 0 {
                for n in 0..<16 {
                    transform(bits, coefficients + 16 * n, y + (n & 3) * 4 + (n >> 2) * 4 * bps)
                    bits <<= 2
                }
            }
        }
        let uvMode = checkMode(mbX, mbY, mb.uvMode)
        VP8IntraPrediction.predictBlock(uvMode, u, size: 8)
        VP8IntraPrediction.predictBlock(uvMode, v, size: 8)
        transformUV(nonZeroUV, coefficients + 256, u)
        transformUV(nonZeroUV >> 8, coefficients + 320, v)
        if mbY < mbH - 1 {
            t.update(from: y + 15 * bps, count: 16)
            (t + 16).update(from: u + 7 * bps, count: 8)
            (t + 24).update(from: v + 7 * bps, count: 8)
        }
    }

    /// DC prediction without the neighbours that lie outside the frame.
    @inline(__always) static func checkMode(_ mbX: Int, _ mbY: Int, _ mode: Int) -> Int {
        guard mode == VP8IntraPrediction.dc else { return mode }
        if mbX == 0 { return mbY == 0 ? VP8IntraPrediction.dcNoTopLeft : VP8IntraPrediction.dcNoLeft }
        return mbY == 0 ? VP8IntraPrediction.dcNoTop : VP8IntraPrediction.dc
    }
}
