/// Per-macroblock header of a VP8 key frame (RFC 6386 §11, §19.3): segment, skip flag,
/// luma mode (16x16 or sixteen 4x4 sub-block modes with contexts from the neighbours)
/// and chroma mode — libwebp's `ParseIntraMode`.
struct VP8MacroblockHeader {
    var segment = 0
    var skip = false
    var isI4x4 = false
    /// The 16x16 mode in `modes[0]`, or the 16 sub-block modes in raster order.
    var modes = SIMD16<UInt8>()
    var uvMode = 0
}

/// The 4x4-mode tree (libwebp's `kYModesIntra4`): positive entries index the tree,
/// others are negated modes.
private let subblockModeTree: [Int] = [-0, 1, -1, 2, -2, 3, 4, 6, -3, 5, -4, -5, -6, 7, -7, 8, -8, -9]

extension VP8MacroblockHeader {
    /// Reads one macroblock header; `top` (4 modes above this macroblock) and `left`
    /// (4 modes to its left) are the sub-block mode contexts, updated in place.
    static func parse(_ br: inout VP8BoolDecoder, header h: VP8FrameHeader,
                      top: UnsafeMutablePointer<UInt8>, left: UnsafeMutablePointer<UInt8>) -> VP8MacroblockHeader {
        var mb = VP8MacroblockHeader()
        if h.updateSegmentMap {
            let p = h.segmentProbabilities
            mb.segment = br.bit(p[0]) == 0 ? br.bit(p[1]) : br.bit(p[2]) + 2
        }
        if let skipProbability = h.skipProbability { mb.skip = br.bit(skipProbability) == 1 }
        mb.isI4x4 = br.bit(145) == 0
        if !mb.isI4x4 {
            let mode = br.bit(156) == 1 ? (br.bit(128) == 1 ? VP8IntraPrediction.trueMotion : VP8IntraPrediction.horizontal)
                                        : (br.bit(163) == 1 ? VP8IntraPrediction.vertical : VP8IntraPrediction.dc)
            mb.modes[0] = UInt8(mode)
            for i in 0..<4 { top[i] = UInt8(mode); left[i] = UInt8(mode) }
        } else {
            VP8Tables.subblockModeProbabilities.withUnsafeBufferPointer { probs in
                for y in 0..<4 {
                    var mode = Int(left[y])
                    for x in 0..<4 {
                        let prob = (Int(top[x]) * 10 + mode) * 9
                        var i = subblockModeTree[br.bit(Int(probs[prob]))]
                        while i > 0 { i = subblockModeTree[2 * i + br.bit(Int(probs[prob + i]))] }
                        mode = -i
                        top[x] = UInt8(mode)
                    }
                    for x in 0..<4 { mb.modes[y * 4 + x] = top[x] }
                    left[y] = UInt8(mode)
                }
            }
        }
        mb.uvMode = br.bit(142) == 0 ? VP8IntraPrediction.dc
            : br.bit(114) == 0 ? VP8IntraPrediction.vertical
            : br.bit(183) == 1 ? VP8IntraPrediction.trueMotion : VP8IntraPrediction.horizontal
        return mb
    }
}
