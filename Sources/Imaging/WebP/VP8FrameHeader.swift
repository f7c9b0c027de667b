/// The VP8 key-frame header (RFC 6386 §9): frame tag, dimensions, segmentation, loop
/// filter, partitions, quantisers and token probabilities — parsed as libwebp's
/// `VP8GetHeaders` parses them, with the same checks.
struct VP8FrameHeader {
    var width = 0, height = 0
    /// Macroblock columns and rows.
    var mbWidth = 0, mbHeight = 0

    // Segmentation (§9.3).
    var useSegment = false, updateSegmentMap = false, absoluteDelta = true
    var segmentQuantizer = [Int](repeating: 0, count: 4)
    var segmentFilterStrength = [Int](repeating: 0, count: 4)
    var segmentProbabilities: [Int] = [255, 255, 255]

    // Loop filter (§9.6).
    var simpleFilter = false
    var filterLevel = 0, sharpness = 0
    var useLoopFilterDelta = false
    var referenceDelta = [Int](repeating: 0, count: 4)
    var modeDelta = [Int](repeating: 0, count: 4)
    /// 0 = none, 1 = simple, 2 = normal.
    var filterType: Int { filterLevel == 0 ? 0 : simpleFilter ? 1 : 2 }

    /// Dequantisation factors per segment: (y1 dc, y1 ac, y2 dc, y2 ac, uv dc, uv ac).
    var quantizers = [VP8Quantizer](repeating: VP8Quantizer(), count: 4)
    /// Token probabilities, [type 4][band 8][context 3][11] flattened.
    var coefficientProbabilities = VP8Tables.defaultCoefficientProbabilities
    var skipProbability: Int? = nil

    /// Byte ranges (into the VP8 payload) of the token partitions.
    var partitions: [Range<Int>] = []
    /// Byte range of the first partition (modes), after the 10-byte uncompressed header.
    var firstPartition: Range<Int> = 0..<0

    /// Reads the uncompressed header of `payload` (the VP8 chunk's bytes) and checks it.
    static func parseDimensions(_ payload: UnsafeBufferPointer<UInt8>) throws -> (width: Int, height: Int, firstPartitionSize: Int) {
        guard payload.count >= 10 else { throw ImageError(.truncated, "WebP VP8 frame header is cut off") }
        let tag = Int(payload[0]) | Int(payload[1]) << 8 | Int(payload[2]) << 16
        guard tag & 1 == 0 else { throw ImageError(.unsupported, "WebP VP8 data is not a key frame") }
        guard (tag >> 1) & 7 <= 3 else { throw ImageError(.corrupt, "WebP VP8 frame has an unknown profile") }
        guard (tag >> 4) & 1 == 1 else { throw ImageError(.unsupported, "WebP VP8 frame is not displayable") }
        guard payload[3] == 0x9D, payload[4] == 0x01, payload[5] == 0x2A else {
            throw ImageError(.corrupt, "WebP VP8 frame has a bad start code")
        }
        let width = (Int(payload[7]) << 8 | Int(payload[6])) & 0x3FFF
        let height = (Int(payload[9]) << 8 | Int(payload[8])) & 0x3FFF
        return (width, height, tag >> 5)
    }

    /// Parses everything up to the token probabilities; `reader` is left at the first
    /// macroblock header of the first partition.
    static func parse(_ payload: UnsafeBufferPointer<UInt8>, reader: inout VP8BoolDecoder?) throws -> VP8FrameHeader {
        var h = VP8FrameHeader()
        let (width, height, firstSize) = try parseDimensions(payload)
        guard width > 0, height > 0 else { throw ImageError(.corrupt, "WebP VP8 frame has no pixels") }
        h.width = width; h.height = height
        h.mbWidth = (width + 15) >> 4; h.mbHeight = (height + 15) >> 4
        guard firstSize <= payload.count - 10 else { throw ImageError(.truncated, "WebP VP8 first partition is cut off") }
        h.firstPartition = 10..<(10 + firstSize)
        var br = VP8BoolDecoder(payload.baseAddress! + 10, count: firstSize)
        _ = br.flag()   // colour space
        _ = br.flag()   // clamping type
        // Segment header.
        h.useSegment = br.flag()
        if h.useSegment {
            h.updateSegmentMap = br.flag()
            if br.flag() {
                h.absoluteDelta = br.flag()
                for s in 0..<4 { h.segmentQuantizer[s] = br.flag() ? br.signedLiteral(7) : 0 }
                for s in 0..<4 { h.segmentFilterStrength[s] = br.flag() ? br.signedLiteral(6) : 0 }
            }
            if h.updateSegmentMap {
                for s in 0..<3 { h.segmentProbabilities[s] = br.flag() ? br.literal(8) : 255 }
            }
        }
        guard !br.atEnd else { throw ImageError(.corrupt, "WebP VP8 segment header is cut off") }
        // Filter header.
        h.simpleFilter = br.flag()
        h.filterLevel = br.literal(6)
        h.sharpness = br.literal(3)
        h.useLoopFilterDelta = br.flag()
        if h.useLoopFilterDelta && br.flag() {
            for i in 0..<4 where br.flag() { h.referenceDelta[i] = br.signedLiteral(6) }
            for i in 0..<4 where br.flag() { h.modeDelta[i] = br.signedLiteral(6) }
        }
        guard !br.atEnd else { throw ImageError(.corrupt, "WebP VP8 filter header is cut off") }
        // Partitions: sizes of all but the last as 3-byte little-endian values.
        let count = 1 << br.literal(2)
        var start = h.firstPartition.upperBound
        let end = payload.count
        guard end - start >= 3 * (count - 1) else { throw ImageError(.truncated, "WebP VP8 partition table is cut off") }
        var sizes = start
        start += 3 * (count - 1)
        for _ in 0..<(count - 1) {
            var size = Int(payload[sizes]) | Int(payload[sizes + 1]) << 8 | Int(payload[sizes + 2]) << 16
            size = min(size, end - start)
            h.partitions.append(start..<(start + size))
            start += size
            sizes += 3
        }
        h.partitions.append(start..<end)
        guard start < end else { throw ImageError(.truncated, "WebP VP8 token partitions are cut off") }
        // Quantisers (§9.6).
        let baseQ = br.literal(7)
        let dY1DC = br.flag() ? br.signedLiteral(4) : 0
        let dY2DC = br.flag() ? br.signedLiteral(4) : 0
        let dY2AC = br.flag() ? br.signedLiteral(4) : 0
        let dUVDC = br.flag() ? br.signedLiteral(4) : 0
        let dUVAC = br.flag() ? br.signedLiteral(4) : 0
        func clip(_ v: Int, _ m: Int) -> Int { v < 0 ? 0 : v > m ? m : v }
        for s in 0..<4 {
            var q: Int
            if h.useSegment {
                q = h.segmentQuantizer[s]
                if !h.absoluteDelta { q += baseQ }
            } else {
                if s > 0 { h.quantizers[s] = h.quantizers[0]; continue }
                q = baseQ
            }
            var m = VP8Quantizer()
            m.y1 = (VP8Tables.dcQuantizer[clip(q + dY1DC, 127)], VP8Tables.acQuantizer[clip(q, 127)])
            var y2ac = (VP8Tables.acQuantizer[clip(q + dY2AC, 127)] * 101581) >> 16
            if y2ac < 8 { y2ac = 8 }
            m.y2 = (VP8Tables.dcQuantizer[clip(q + dY2DC, 127)] * 2, y2ac)
            m.uv = (VP8Tables.dcQuantizer[clip(q + dUVDC, 117)], VP8Tables.acQuantizer[clip(q + dUVAC, 127)])
            h.quantizers[s] = m
        }
        _ = br.flag()   // refresh entropy probs: ignored for a single key frame
        // Token probabilities (§13.4).
        for i in 0..<(4 * 8 * 3 * 11) where br.bit(Int(VP8Tables.coefficientUpdateProbabilities[i])) == 1 {
            h.coefficientProbabilities[i] = UInt8(br.literal(8))
        }
        if br.flag() { h.skipProbability = br.literal(8) }
        reader = br
        return h
    }
}

/// Dequantisation factors (DC, AC) of one segment for the Y1 (luma), Y2 (luma DC) and
/// chroma blocks.
struct VP8Quantizer {
    var y1: (Int32, Int32) = (0, 0)
    var y2: (Int32, Int32) = (0, 0)
    var uv: (Int32, Int32) = (0, 0)
}
