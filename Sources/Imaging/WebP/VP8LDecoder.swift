/// Decodes the lossless format (a WebP `VP8L` chunk, or the image stream inside an `ALPH`
/// chunk) to ARGB pixels (`0xAARRGGBB`, one `UInt32` per pixel, row-major), following the
/// WebP lossless bitstream specification (RFC 9649) with libwebp's checks: transforms,
/// colour cache, meta prefix codes, LZ77 backward references with the 2-D distance map.
///
/// Work is bounded per pixel: every symbol read advances the output or, for prefix codes,
/// costs at most one alphabet's worth; codes of groups the image never uses are validated
/// without building tables.
struct VP8LDecoder {
    static let literalCount = 256, lengthCount = 24, distanceCount = 40
    static let codeLengthOrder = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    static let codeToPlane: [UInt8] = [
        0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a,
        0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34, 0x3c, 0x03,
        0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
        0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e, 0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f,
        0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41,
        0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
    ]

    /// The five prefix codes of one group: green + length + cache, red, blue, alpha, distance.
    struct Group {
        var green, red, blue, alpha, distance: VP8LPrefixCode
    }

    var br: VP8LBitReader

    /// Reads the 5-byte `VP8L` header: signature 0x2F, 14-bit width − 1 and height − 1,
    /// alpha hint, 3-bit version (must be 0).
    static func parseHeader(_ data: UnsafeBufferPointer<UInt8>) throws -> (width: Int, height: Int, hasAlpha: Bool) {
        guard data.count >= 5 else { throw ImageError(.truncated, "WebP lossless header is cut off") }
        guard data[0] == 0x2F, data[4] >> 5 == 0 else { throw ImageError(.corrupt, "WebP lossless header has a bad signature or version") }
        var br = VP8LBitReader(data.baseAddress! + 1, count: 4)
        let width = br.read(14) + 1, height = br.read(14) + 1
        return (width, height, br.read(1) == 1)
    }

    /// Decodes a whole `VP8L` chunk; the caller has checked the header's size.
    static func decode(_ data: UnsafeBufferPointer<UInt8>) throws -> (width: Int, height: Int, argb: [UInt32]) {
        let (width, height, _) = try parseHeader(data)
        var decoder = VP8LDecoder(br: VP8LBitReader(data.baseAddress! + 5, count: data.count - 5))
        return (width, height, try decoder.decodeImageStream(width: width, height: height, level0: true))
    }

    /// Decodes a header-less image stream of `width × height` (the ALPH lossless payload).
    static func decodeStream(_ data: UnsafeBufferPointer<UInt8>, width: Int, height: Int) throws -> [UInt32] {
        var decoder = VP8LDecoder(br: VP8LBitReader(data.baseAddress!, count: data.count))
        return try decoder.decodeImageStream(width: width, height: height, level0: true)
    }

    static func subsampleSize(_ size: Int, _ bits: Int) -> Int { (size + (1 << bits) - 1) >> bits }

    func corrupt(_ what: String) -> ImageError {
        br.isPastEnd ? ImageError(.truncated, "WebP lossless data ends early (\(what))")
                     : ImageError(.corrupt, "WebP lossless data is corrupt (\(what))")
    }

    /// One (sub-)image: transforms (level 0 only), colour cache, prefix codes, pixels.
    mutating func decodeImageStream(width: Int, height: Int, level0: Bool) throws -> [UInt32] {
        var transforms: [VP8LTransform] = []
        var xsize = width
        if level0 {
            var seen = 0
            while br.read(1) == 1 {
                let type = br.read(2)
                guard seen & (1 << type) == 0 else { throw corrupt("transform repeated") }
                seen |= 1 << type
                transforms.append(try readTransform(type, xsize: &xsize, ysize: height))
            }
        }
        var cacheBits = 0
        if br.read(1) == 1 {
            cacheBits = br.read(4)
            guard (1...11).contains(cacheBits) else { throw corrupt("colour cache size") }
        }
        // Meta prefix codes (level 0 only).
        var groupImage: [UInt32] = []
        var groupBits = 0
        var groupCount = 1
        var mapping: [Int32] = []
        if level0 && br.read(1) == 1 {
            groupBits = br.read(3) + 2
            let gw = Self.subsampleSize(xsize, groupBits), gh = Self.subsampleSize(height, groupBits)
            groupImage = try decodeImageStream(width: gw, height: gh, level0: false)
            var maxGroup = 0
            for i in groupImage.indices {
                groupImage[i] = (groupImage[i] >> 8) & 0xFFFF
                maxGroup = max(maxGroup, Int(groupImage[i]))
            }
            // Only groups the image refers to get tables; the others are read and checked.
            mapping = [Int32](repeating: -1, count: maxGroup + 1)
            var used: Int32 = 0
            for i in groupImage.indices {
                let g = Int(groupImage[i])
                if mapping[g] < 0 { mapping[g] = used; used += 1 }
                groupImage[i] = UInt32(mapping[g])
            }
            groupCount = maxGroup + 1
        }
        guard !br.isPastEnd else { throw corrupt("prefix codes") }
        var groups: [Group?] = Array(repeating: nil, count: mapping.isEmpty ? 1 : mapping.reduce(0) { $1 >= 0 ? $0 + 1 : $0 })
        let greenSize = Self.literalCount + Self.lengthCount + (cacheBits > 0 ? 1 << cacheBits : 0)
        let alphabetSizes = [greenSize, Self.literalCount, Self.literalCount, Self.literalCount, Self.distanceCount]
        for g in 0..<groupCount {
            let keep = mapping.isEmpty || mapping[g] >= 0
            var codes: [VP8LPrefixCode] = []
            for size in alphabetSizes {
                let code = try readPrefixCode(alphabetSize: size)
                if keep { codes.append(code) }
            }
            if keep {
                groups[mapping.isEmpty ? 0 : Int(mapping[g])] = Group(green: codes[0], red: codes[1], blue: codes[2], alpha: codes[3],
                                                                      distance: codes[4])
            }
        }
        var pixels = try decodePixels(width: xsize, height: height, groups: groups.compactMap { $0 }, groupImage: groupImage,
                                      groupBits: groupBits, cacheBits: cacheBits)
        guard !br.isPastEnd else { throw corrupt("pixel data") }
        for transform in transforms.reversed() { transform.inverse(&pixels, height: height) }
        return pixels
    }

    mutating func readTransform(_ type: Int, xsize: inout Int, ysize: Int) throws -> VP8LTransform {
        switch type {
        case 0, 1:   // predictor, cross-colour
            let bits = br.read(3) + 2
            let data = try decodeImageStream(width: Self.subsampleSize(xsize, bits), height: Self.subsampleSize(ysize, bits),
                                             level0: false)
            return VP8LTransform(kind: type == 0 ? .predictor : .crossColor, width: xsize, bits: bits, data: data)
        case 3:   // colour indexing
            let colors = br.read(8) + 1
            let bits = colors > 16 ? 0 : colors > 4 ? 1 : colors > 2 ? 2 : 3
            let palette = try decodeImageStream(width: colors, height: 1, level0: false)
            // Palette entries are coded as differences; the table is padded with zeros.
            var expanded = [UInt32](repeating: 0, count: 1 << (8 >> bits))
            expanded[0] = palette[0]
            for i in 1..<colors { expanded[i] = VP8LTransform.addPixels(palette[i], expanded[i - 1]) }
            let transform = VP8LTransform(kind: .colorIndexing, width: xsize, bits: bits, data: expanded)
            xsize = Self.subsampleSize(xsize, bits)
            return transform
        default:
            return VP8LTransform(kind: .subtractGreen, width: xsize, bits: 0, data: [])
        }
    }

    /// Reads one prefix code (simple or length-coded) over `alphabetSize` symbols.
    mutating func readPrefixCode(alphabetSize: Int) throws -> VP8LPrefixCode {
        if br.read(1) == 1 {   // simple code: one or two symbols
            let count = br.read(1) + 1
            // libwebp ignores a symbol beyond the alphabet (the code must still have one).
            var symbols: [Int] = []
            let first = br.read(br.read(1) == 0 ? 1 : 8)
            if first < alphabetSize { symbols.append(first) }
            if count == 2 {
                let second = br.read(8)
                if second < alphabetSize { symbols.append(second) }
            }
            guard !br.isPastEnd else { throw corrupt("prefix code") }
            guard let firstSymbol = symbols.first else { throw corrupt("prefix code without symbols") }
            return VP8LPrefixCode(simple: firstSymbol, symbols.count > 1 ? symbols[1] : nil)
        }
        var lengths = [Int](repeating: 0, count: alphabetSize)
        do {
            var codeLengthLengths = [Int](repeating: 0, count: 19)
            let count = br.read(4) + 4
            for i in 0..<count { codeLengthLengths[Self.codeLengthOrder[i]] = br.read(3) }
            guard let lengthCode = VP8LPrefixCode(lengths: codeLengthLengths) else { throw corrupt("code-length code") }
            var maxSymbol = alphabetSize
            if br.read(1) == 1 {
                let n = 2 + 2 * br.read(3)
                maxSymbol = 2 + br.read(n)
                guard maxSymbol <= alphabetSize else { throw corrupt("code length count") }
            }
            var symbol = 0, previous = 8
            while symbol < alphabetSize {
                if maxSymbol == 0 { break }
                maxSymbol -= 1
                let length = lengthCode.read(&br)
                if length < 16 {
                    lengths[symbol] = length
                    symbol += 1
                    if length != 0 { previous = length }
                } else {
                    let extra = [2, 3, 7][length - 16], offset = [3, 3, 11][length - 16]
                    let repeatCount = br.read(extra) + offset
                    guard symbol + repeatCount <= alphabetSize else { throw corrupt("code length repeat") }
                    let value = length == 16 ? previous : 0
                    for _ in 0..<repeatCount { lengths[symbol] = value; symbol += 1 }
                }
                if br.isPastEnd { break }
            }
        }
        guard !br.isPastEnd else { throw corrupt("prefix code") }
        guard let code = VP8LPrefixCode(lengths: lengths) else { throw corrupt("incomplete prefix code") }
        return code
    }

    @inline(__always) mutating func copyValue(_ symbol: Int) -> Int {
        if symbol < 4 { return symbol + 1 }
        let extra = (symbol - 2) >> 1
        let offset = (2 + (symbol & 1)) << extra
        return offset + br.read(extra) + 1
    }

    /// The entropy-coded pixels of one image of `width × height`.
    mutating func decodePixels(width: Int, height: Int, groups: [Group], groupImage: [UInt32], groupBits: Int,
                               cacheBits: Int) throws -> [UInt32] {
        let total = width * height
        var out = [UInt32](repeating: 0, count: total)
        let cacheSize = cacheBits > 0 ? 1 << cacheBits : 0
        let cache = UnsafeMutablePointer<UInt32>.allocate(capacity: max(cacheSize, 1))
        cache.initialize(repeating: 0, count: max(cacheSize, 1))
        defer { cache.deallocate() }
        let cacheShift = UInt32(32 - cacheBits)
        let groupWidth = groupBits > 0 ? Self.subsampleSize(width, groupBits) : 0
        let mask = groupBits > 0 ? (1 << groupBits) - 1 : -1
        let lengthLimit = Self.literalCount + Self.lengthCount
        var pos = 0, col = 0, row = 0, lastCached = 0
        var group = groups[0]
        var failure: String? = nil
        out.withUnsafeMutableBufferPointer { o in
            let outPtr = o.baseAddress!
            @inline(__always) func insertCached(upTo end: Int) {
                guard cacheSize > 0 else { return }
                while lastCached < end {
                    let argb = outPtr[lastCached]
                    cache[Int((0x1E35_A7BD &* argb) >> cacheShift)] = argb
                    lastCached += 1
                }
            }
            while pos < total {
                if col & mask == 0 && groupBits > 0 {
                    group = groups[Int(groupImage[(row >> groupBits) * groupWidth + (col >> groupBits)])]
                }
                let code = group.green.read(&br)
                if code < Self.literalCount {
                    let red = group.red.read(&br)
                    let blue = group.blue.read(&br)
                    let alpha = group.alpha.read(&br)
                    outPtr[pos] = UInt32(alpha) << 24 | UInt32(red) << 16 | UInt32(code) << 8 | UInt32(blue)
                    pos += 1; col += 1
                    if col >= width { col = 0; row += 1; insertCached(upTo: pos) }
                } else if code < lengthLimit {
                    let length = copyValue(code - Self.literalCount)
                    let distCode = copyValue(group.distance.read(&br))
                    var dist: Int
                    if distCode > 120 {
                        dist = distCode - 120
                    } else {
                        let c = Int(Self.codeToPlane[distCode - 1])
                        dist = (c >> 4) * width + 8 - (c & 0xF)
                        if dist < 1 { dist = 1 }
                    }
                    if br.isPastEnd { break }
                    guard pos >= dist, total - pos >= length else { failure = "backward reference out of range"; break }
                    let src = outPtr + pos - dist, dst = outPtr + pos
                    for k in 0..<length { dst[k] = src[k] }
                    pos += length; col += length
                    while col >= width { col -= width; row += 1 }
                    if col & mask != 0 && groupBits > 0 && pos < total {
                        group = groups[Int(groupImage[(row >> groupBits) * groupWidth + (col >> groupBits)])]
                    }
                    insertCached(upTo: pos)
                } else {
                    let key = code - lengthLimit
                    guard key < cacheSize else { failure = "colour cache index"; break }
                    insertCached(upTo: pos)
                    outPtr[pos] = cache[key]
                    pos += 1; col += 1
                    if col >= width { col = 0; row += 1; insertCached(upTo: pos) }
                }
                if br.isPastEnd { break }
            }
        }
        if let failure { throw corrupt(failure) }
        guard !br.isPastEnd else { throw corrupt("pixel data") }
        return out
    }
}
