/// The VP8 in-loop deblocking filter (RFC 6386 §15) as libwebp's `DoFilter` applies it:
/// per macroblock in raster order, left edge, inner vertical edges, top edge, inner
/// horizontal edges; the simple filter on luma only, the normal one on all planes.
enum VP8LoopFilter {
    /// Filter parameters of one macroblock (libwebp's `VP8FInfo`).
    struct Strength {
        var limit = 0, innerLevel = 0, hevThreshold = 0
        var filterInner = false
    }

    @inline(__always) static func sclip1(_ v: Int) -> Int { v < -128 ? -128 : v > 127 ? 127 : v }   // [-1020, 1020]
    @inline(__always) static func sclip2(_ v: Int) -> Int { v < -16 ? -16 : v > 15 ? 15 : v }       // [-112, 112]
    @inline(__always) static func clip1(_ v: Int) -> UInt8 { v < 0 ? 0 : v > 255 ? 255 : UInt8(v) }

    @inline(__always) static func filter2(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p1 = Int(p[-2 * step]), p0 = Int(p[-step]), q0 = Int(p[0]), q1 = Int(p[step])
        let a = 3 * (q0 - p0) + sclip1(p1 - q1)
        let a1 = sclip2((a + 4) >> 3), a2 = sclip2((a + 3) >> 3)
        p[-step] = clip1(p0 + a2)
        p[0] = clip1(q0 - a1)
    }

    @inline(__always) static func filter4(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p1 = Int(p[-2 * step]), p0 = Int(p[-step]), q0 = Int(p[0]), q1 = Int(p[step])
        let a = 3 * (q0 - p0)
        let a1 = sclip2((a + 4) >> 3), a2 = sclip2((a + 3) >> 3)
        let a3 = (a1 + 1) >> 1
        p[-2 * step] = clip1(p1 + a3)
        p[-step] = clip1(p0 + a2)
        p[0] = clip1(q0 - a1)
        p[step] = clip1(q1 - a3)
    }

    @inline(__always) static func filter6(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p2 = Int(p[-3 * step]), p1 = Int(p[-2 * step]), p0 = Int(p[-step])
        let q0 = Int(p[0]), q1 = Int(p[step]), q2 = Int(p[2 * step])
        let a = sclip1(3 * (q0 - p0) + sclip1(p1 - q1))
        let a1 = (27 * a + 63) >> 7, a2 = (18 * a + 63) >> 7, a3 = (9 * a + 63) >> 7
        p[-3 * step] = clip1(p2 + a3)
        p[-2 * step] = clip1(p1 + a2)
        p[-step] = clip1(p0 + a1)
        p[0] = clip1(q0 - a1)
        p[step] = clip1(q1 - a2)
        p[2 * step] = clip1(q2 - a3)
    }

    @inline(__always) static func highEdgeVariance(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ t: Int) -> Bool {
        abs(Int(p[-2 * step]) - Int(p[-step])) > t || abs(Int(p[step]) - Int(p[0])) > t
    }

    @inline(__always) static func needsFilter(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ t: Int) -> Bool {
        4 * abs(Int(p[-step]) - Int(p[0])) + abs(Int(p[-2 * step]) - Int(p[step])) <= t
    }

    @inline(__always) static func needsFilter2(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ t: Int, _ it: Int) -> Bool {
        let p3 = Int(p[-4 * step]), p2 = Int(p[-3 * step]), p1 = Int(p[-2 * step]), p0 = Int(p[-step])
        let q0 = Int(p[0]), q1 = Int(p[step]), q2 = Int(p[2 * step]), q3 = Int(p[3 * step])
        if 4 * abs(p0 - q0) + abs(p1 - q1) > t { return false }
        return abs(p3 - p2) <= it && abs(p2 - p1) <= it && abs(p1 - p0) <= it
            && abs(q3 - q2) <= it && abs(q2 - q1) <= it && abs(q1 - q0) <= it
    }

    /// Simple filter across one edge of 16 pixels: `step` crosses the edge, `along` runs along it.
    static func simpleEdge(_ p: UnsafeMutablePointer<UInt8>, step: Int, along: Int, threshold: Int) {
        let t2 = 2 * threshold + 1
        for i in 0..<16 where needsFilter(p + i * along, step, t2) { filter2(p + i * along, step) }
    }

    /// Normal filter across one edge of `count` pixels; `macroblockEdge` selects the
    /// six-tap variant (edges between macroblocks) over the four-tap one (inner edges).
    static func normalEdge(_ p: UnsafeMutablePointer<UInt8>, step: Int, along: Int, count: Int,
                           threshold: Int, inner: Int, hev: Int, macroblockEdge: Bool) {
        let t2 = 2 * threshold + 1
        for i in 0..<count {
            let q = p + i * along
            guard needsFilter2(q, step, t2, inner) else { continue }
            if highEdgeVariance(q, step, hev) {
                filter2(q, step)
            } else if macroblockEdge {
                filter6(q, step)
            } else {
                filter4(q, step)
            }
        }
    }

    /// Filters the macroblock at (`mbX`, `mbY`) in the planes (luma stride `yStride`,
    /// chroma stride `uvStride`).
    static func filterMacroblock(_ s: Strength, simple: Bool, mbX: Int, mbY: Int,
                                 y: UnsafeMutablePointer<UInt8>, u: UnsafeMutablePointer<UInt8>, v: UnsafeMutablePointer<UInt8>,
                                 yStride: Int, uvStride: Int) {
        let limit = s.limit
        guard limit > 0 else { return }
        let yp = y + mbY * 16 * yStride + mbX * 16
        if simple {
            if mbX > 0 { simpleEdge(yp, step: 1, along: yStride, threshold: limit + 4) }
            if s.filterInner { for k in 1...3 { simpleEdge(yp + 4 * k, step: 1, along: yStride, threshold: limit) } }
            if mbY > 0 { simpleEdge(yp, step: yStride, along: 1, threshold: limit + 4) }
            if s.filterInner { for k in 1...3 { simpleEdge(yp + 4 * k * yStride, step: yStride, along: 1, threshold: limit) } }
            return
        }
        let up = u + mbY * 8 * uvStride + mbX * 8, vp = v + mbY * 8 * uvStride + mbX * 8
        let il = s.innerLevel, hev = s.hevThreshold
        if mbX > 0 {
            normalEdge(yp, step: 1, along: yStride, count: 16, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
            normalEdge(up, step: 1, along: uvStride, count: 8, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
            normalEdge(vp, step: 1, along: uvStride, count: 8, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
        }
        if s.filterInner {
            for k in 1...3 {
                normalEdge(yp + 4 * k, step: 1, along: yStride, count: 16, threshold: limit, inner: il, hev: hev, macroblockEdge: false)
            }
            normalEdge(up + 4, step: 1, along: uvStride, count: 8, threshold: limit, inner: il, hev: hev, macroblockEdge: false)
            normalEdge(vp + 4, step: 1, along: uvStride, count: 8, threshold: limit, inner: il, hev: hev, macroblockEdge: false)
        }
        if mbY > 0 {
            normalEdge(yp, step: yStride, along: 1, count: 16, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
            normalEdge(up, step: uvStride, along: 1, count: 8, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
            normalEdge(vp, step: uvStride, along: 1, count: 8, threshold: limit + 4, inner: il, hev: hev, macroblockEdge: true)
        }
        if s.filterInner {
            for k in 1...3 {
                normalEdge(yp + 4 * k * yStride, step: yStride, along: 1, count: 16, threshold: limit, inner: il, hev: hev,
                           macroblockEdge: false)
            }
            normalEdge(up + 4 * uvStride, step: uvStride, along: 1, count: 8, threshold: limit, inner: il, hev: hev, macroblockEdge: false)
            normalEdge(vp + 4 * uvStride, step: uvStride, along: 1, count: 8, threshold: limit, inner: il, hev: hev, macroblockEdge: false)
        }
    }

    /// Per segment and per (is 4x4) the filter parameters (libwebp's
    /// `PrecomputeFilterStrengths`), [segment][i4x4].
    static func strengths(_ h: VP8FrameHeader) -> [[Strength]] {
        (0..<4).map { s in
            var base = h.filterLevel
            if h.useSegment {
                base = h.segmentFilterStrength[s]
                if !h.absoluteDelta { base += h.filterLevel }
            }
            return (0...1).map { i4x4 in
                var level = base
                if h.useLoopFilterDelta {
                    level += h.referenceDelta[0]
                    if i4x4 == 1 { level += h.modeDelta[0] }
                }
                level = max(0, min(63, level))
                var info = Strength()
                if level > 0 {
                    var ilevel = level
                    if h.sharpness > 0 {
                        ilevel >>= h.sharpness > 4 ? 2 : 1
                        ilevel = min(ilevel, 9 - h.sharpness)
                    }
                    ilevel = max(ilevel, 1)
                    info.innerLevel = ilevel
                    info.limit = 2 * level + ilevel
                    info.hevThreshold = level >= 40 ? 2 : level >= 15 ? 1 : 0
                }
                info.filterInner = i4x4 == 1
                return info
            }
        }
    }
}
