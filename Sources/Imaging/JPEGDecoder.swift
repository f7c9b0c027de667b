import Tensor

/// Baseline and progressive JPEG decoding (8-bit, Huffman, 1 or 3 components, any
/// sampling factors, restart intervals), reproducing libjpeg-turbo with its default
/// settings as Pillow uses it: ISLOW integer IDCT (`JPEGIDCT`), "fancy" triangular chroma
/// upsampling for 2×1, 2×2 and 1×2 subsampling, box replication otherwise
/// (`JPEGUpsampling`), and libjpeg's fixed-point YCbCr → RGB (`JPEGColor`); four-component
/// CMYK / YCCK files as Pillow converts them (`JPEGCMYK`).
enum JPEGDecoder {
    struct Component {
        let id: Int, h: Int, v: Int, quantTable: Int
        var blocksPerLine = 0, blocksPerColumn = 0
        /// Width and height in samples of the (down-sampled) component.
        var width = 0, height = 0
        var coefficients: [Int16] = []
        var dcTable = 0, acTable = 0
        var prediction = 0
    }

    struct Frame {
        var progressive = false
        var width = 0, height = 0
        var components: [Component] = []
        var hMax = 1, vMax = 1
        var mcusPerLine = 0, mcusPerColumn = 0
    }

    /// What the decoder learned besides the pixels.
    struct Result {
        var image: RGBImage
        var orientation: Int
        var components: Int
    }

    static let zigzag: [Int] = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
                                20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58,
                                59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> Result {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw ImageError(.unsupported, "not a JPEG file") }
        var quant = [[Int]](repeating: [Int](repeating: 0, count: 64), count: 4)
        var quantDefined = [Bool](repeating: false, count: 4)
        var dcTables = [JPEGHuffman?](repeating: nil, count: 4), acTables = [JPEGHuffman?](repeating: nil, count: 4)
        var frame: Frame?
        var restartInterval = 0
        var orientation = 1
        var sawJFIF = false
        var adobeTransform: Int?
        var eobRun = 0
        var scanCount = 0
        var blockVisits = 0
        var position = 2
        func segment() throws -> [UInt8] {
            guard position + 2 <= bytes.count else { throw ImageError(.truncated, "JPEG ends inside a marker segment") }
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            guard length >= 2, position + length <= bytes.count else { throw ImageError(.truncated, "JPEG marker segment runs past the end") }
            defer { position += length }
            return Array(bytes[(position + 2)..<(position + length)])
        }
        markers: while true {
            // Find the next marker (skipping fill bytes and, leniently like libjpeg, junk).
            while position < bytes.count && bytes[position] != 0xFF { position += 1 }
            while position < bytes.count && bytes[position] == 0xFF { position += 1 }
            guard position < bytes.count else { throw ImageError(.truncated, "JPEG ends before its end-of-image marker") }
            let marker = bytes[position]
            position += 1
            switch marker {
            case 0xD8, 0x01, 0xD0...0xD7:
                continue
            case 0xD9:
                break markers
            case 0xE0:
                let data = try segment()
                if data.starts(with: Array("JFIF\0".utf8)) { sawJFIF = true }
            case 0xE1:
                let data = try segment()
                if data.starts(with: Array("Exif\0\0".utf8)) { orientation = EXIF.orientation(Array(data.dropFirst(6))) ?? orientation }
            case 0xEE:
                let data = try segment()
                if data.count >= 12 && data.starts(with: Array("Adobe".utf8)) { adobeTransform = Int(data[11]) }
            case 0xDB:
                let data = try segment()
                var i = 0
                while i < data.count {
                    let precision = Int(data[i] >> 4), table = Int(data[i] & 15)
                    guard table < 4, precision <= 1 else { throw ImageError(.corrupt, "bad JPEG quantisation table") }
                    let size = precision == 0 ? 64 : 128
                    guard i + 1 + size <= data.count else { throw ImageError(.truncated, "JPEG quantisation table cut off") }
                    for k in 0..<64 {
                        let value = precision == 0 ? Int(data[i + 1 + k]) : Int(data[i + 1 + 2 * k]) << 8 | Int(data[i + 2 + 2 * k])
                        quant[table][zigzag[k]] = value
                    }
                    quantDefined[table] = true
                    i += 1 + size
                }
            case 0xC4:
                let data = try segment()
                var i = 0
                while i < data.count {
                    guard i + 17 <= data.count else { throw ImageError(.truncated, "JPEG Huffman table cut off") }
                    let tableClass = Int(data[i] >> 4), table = Int(data[i] & 15)
                    guard tableClass <= 1, table < 4 else { throw ImageError(.corrupt, "bad JPEG Huffman table id") }
                    let counts = (0..<16).map { Int(data[i + 1 + $0]) }
                    let total = counts.reduce(0, +)
                    guard i + 17 + total <= data.count else { throw ImageError(.truncated, "JPEG Huffman table cut off") }
                    let huffman = try JPEGHuffman(counts: counts, values: Array(data[(i + 17)..<(i + 17 + total)]))
                    if tableClass == 0 { dcTables[table] = huffman } else { acTables[table] = huffman }
                    i += 17 + total
                }
            case 0xDD:
                let data = try segment()
                guard data.count >= 2 else { throw ImageError(.corrupt, "bad JPEG restart interval") }
                restartInterval = Int(data[0]) << 8 | Int(data[1])
            case 0xC0, 0xC1, 0xC2:
                guard frame == nil else { throw ImageError(.corrupt, "JPEG has more than one frame") }
                frame = try parseFrame(try segment(), progressive: marker == 0xC2, limits: limits)
            case 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw ImageError(.unsupported, "JPEG coding process SOF\(marker - 0xC0) (lossless, hierarchical or arithmetic) is not supported")
            case 0xDC:
                throw ImageError(.unsupported, "JPEG DNL markers are not supported")
            case 0xDA:
                guard var f = frame else { throw ImageError(.corrupt, "JPEG scan before the frame header") }
                frame = nil     // `f` is now the only owner of the coefficients: a scan writes them in place, never copies
                scanCount += 1
                guard scanCount <= limits.maximumScans else {
                    throw ImageError(.tooLarge, "JPEG has more than \(limits.maximumScans) scans (the decode-work limit; real files have at most a few dozen)")
                }
                let data = try segment()
                let scan = try parseScan(data, frame: f, dcTables: dcTables, acTables: acTables)
                var reader = JPEGBitReader(bytes, position: position)
                let frameBlocks = f.components.reduce(0) { $0 + $1.blocksPerLine * $1.blocksPerColumn }
                let budget = frameBlocks.multipliedReportingOverflow(by: limits.maximumBlockVisitsPerBlock)
                try decodeScan(&f, scan: scan, dcTables: dcTables, acTables: acTables, restartInterval: restartInterval,
                               reader: &reader, eobRun: &eobRun, blockVisits: &blockVisits,
                               blockVisitBudget: budget.overflow ? Int.max : budget.partialValue)
                frame = f
                position = reader.finish()
            default:
                _ = try segment()     // APPn, COM and other segments we do not need
            }
        }
        guard let f = frame else { throw ImageError(.corrupt, "JPEG has no frame header") }
        for component in f.components where !quantDefined[component.quantTable] {
            throw ImageError(.corrupt, "JPEG component uses undefined quantisation table \(component.quantTable)")
        }
        let planes = JPEGIDCT.reconstruct(f, quant: quant)
        let image: RGBImage
        switch f.components.count {
        case 1:
            image = JPEGColor.gray(JPEGUpsampling.fullSize(planes[0], f.components[0], frame: f), width: f.width, height: f.height)
        case 3:
            // The planes upsample independently: one per thread.
            var full = [[UInt8]](repeating: [], count: 3)
            full.withUnsafeMutableBufferPointer { out in
                parallelFor(3, grain: 1) { range in
                    for c in range { out[c] = JPEGUpsampling.fullSize(planes[c], f.components[c], frame: f) }
                }
            }
            let ids = f.components.map(\.id)
            let isRGB = adobeTransform.map { $0 == 0 } ?? (!sawJFIF && ids == [82, 71, 66])
            image = isRGB ? JPEGColor.interleave(full, width: f.width, height: f.height)
                : JPEGColor.ycbcrToRGB(full, width: f.width, height: f.height)
        default:
            // Four components: CMYK or YCCK, as libjpeg decides from the Adobe marker.
            var full = [[UInt8]](repeating: [], count: 4)
            full.withUnsafeMutableBufferPointer { out in
                parallelFor(4, grain: 1) { range in
                    for c in range { out[c] = JPEGUpsampling.fullSize(planes[c], f.components[c], frame: f) }
                }
            }
            image = JPEGCMYK.rgb(full, width: f.width, height: f.height, adobeTransform: adobeTransform)
        }
        return Result(image: image, orientation: orientation, components: f.components.count)
    }

    static func parseFrame(_ data: [UInt8], progressive: Bool, limits: DecodeLimits) throws -> Frame {
        guard data.count >= 6 else { throw ImageError(.corrupt, "JPEG frame header is too short") }
        guard data[0] == 8 else { throw ImageError(.unsupported, "JPEG with \(data[0])-bit samples is not supported") }
        var f = Frame()
        f.progressive = progressive
        f.height = Int(data[1]) << 8 | Int(data[2])
        f.width = Int(data[3]) << 8 | Int(data[4])
        guard f.height > 0 else { throw ImageError(.unsupported, "JPEG with height defined by a DNL marker is not supported") }
        try limits.check(width: f.width, height: f.height)
        let count = Int(data[5])
        guard count == 1 || count == 3 || count == 4, data.count >= 6 + 3 * count else {
            throw ImageError(.corrupt, "JPEG frame header has a bad component count")
        }
        for i in 0..<count {
            let h = Int(data[7 + 3 * i] >> 4), v = Int(data[7 + 3 * i] & 15), q = Int(data[8 + 3 * i])
            guard (1...4).contains(h), (1...4).contains(v), q < 4 else { throw ImageError(.corrupt, "bad JPEG sampling factors or table") }
            f.components.append(Component(id: Int(data[6 + 3 * i]), h: h, v: v, quantTable: q))
        }
        f.hMax = f.components.map(\.h).max()!
        f.vMax = f.components.map(\.v).max()!
        f.mcusPerLine = (f.width + 8 * f.hMax - 1) / (8 * f.hMax)
        f.mcusPerColumn = (f.height + 8 * f.vMax - 1) / (8 * f.vMax)
        for i in f.components.indices {
            var c = f.components[i]
            c.width = (f.width * c.h + f.hMax - 1) / f.hMax
            c.height = (f.height * c.v + f.vMax - 1) / f.vMax
            c.blocksPerLine = f.mcusPerLine * c.h
            c.blocksPerColumn = f.mcusPerColumn * c.v
            c.coefficients = [Int16](repeating: 0, count: c.blocksPerLine * c.blocksPerColumn * 64)
            f.components[i] = c
        }
        return f
    }

    struct Scan {
        var components: [Int]       // indices into frame.components
        var tables: [(dc: Int, ac: Int)] = []
        var start = 0, end = 63, high = 0, low = 0
    }

    static func parseScan(_ data: [UInt8], frame: Frame, dcTables: [JPEGHuffman?], acTables: [JPEGHuffman?]) throws -> Scan {
        guard data.count >= 1 else { throw ImageError(.corrupt, "empty JPEG scan header") }
        let count = Int(data[0])
        guard count >= 1, count <= 4, data.count >= 4 + 2 * count else { throw ImageError(.corrupt, "bad JPEG scan header") }
        var scan = Scan(components: [])
        for i in 0..<count {
            let id = Int(data[1 + 2 * i])
            guard let index = frame.components.firstIndex(where: { $0.id == id }) else {
                throw ImageError(.corrupt, "JPEG scan names unknown component \(id)")
            }
            scan.components.append(index)
        }
        let tail = 1 + 2 * count
        scan.start = Int(data[tail]); scan.end = Int(data[tail + 1])
        scan.high = Int(data[tail + 2] >> 4); scan.low = Int(data[tail + 2] & 15)
        guard scan.start <= scan.end, scan.end <= 63, scan.low <= 13 else { throw ImageError(.corrupt, "bad JPEG spectral selection") }
        if frame.progressive {
            guard scan.start == 0 ? scan.end == 0 : count == 1 else {
                throw ImageError(.corrupt, "invalid progressive JPEG scan")
            }
        } else {
            guard scan.start == 0, scan.end == 63, scan.high == 0, scan.low == 0 else {
                throw ImageError(.corrupt, "sequential JPEG scan with spectral selection")
            }
        }
        for i in 0..<count {
            let tables = Int(data[2 + 2 * i])
            let dc = tables >> 4, ac = tables & 15
            guard dc < 4, ac < 4 else { throw ImageError(.corrupt, "bad JPEG Huffman table selector") }
            if scan.start == 0 && scan.high == 0 && dcTables[dc] == nil { throw ImageError(.corrupt, "JPEG scan uses undefined DC table \(dc)") }
            if scan.end > 0 && acTables[ac] == nil { throw ImageError(.corrupt, "JPEG scan uses undefined AC table \(ac)") }
            scan.tables.append((dc, ac))
        }
        return scan
    }

    static func decodeScan(_ f: inout Frame, scan: Scan, dcTables: [JPEGHuffman?], acTables: [JPEGHuffman?],
                           restartInterval: Int, reader: inout JPEGBitReader, eobRun: inout Int,
                           blockVisits: inout Int, blockVisitBudget: Int = .max) throws {
        // Table selectors were validated by parseScan; record them on the components.
        for i in scan.components.indices {
            f.components[scan.components[i]].prediction = 0
        }
        eobRun = 0
        let single = scan.components.count == 1
        // A single-component scan covers only that component's own blocks; an interleaved
        // one covers whole MCUs. (Only integers are copied out of the components: holding
        // a component would share its coefficient array and make every write copy it.)
        let firstWidth = f.components[scan.components[0]].width, firstHeight = f.components[scan.components[0]].height
        let unitsPerLine = single ? (firstWidth + 7) / 8 : f.mcusPerLine
        let unitsPerColumn = single ? (firstHeight + 7) / 8 : f.mcusPerColumn
        let sampling = scan.components.map { (f.components[$0].h, f.components[$0].v) }
        let total = unitsPerLine * unitsPerColumn
        let tables = scan.tables.map { (dcTables[$0.dc], acTables[$0.ac]) }
        let blocksPerUnit = single ? 1 : sampling.reduce(0) { $0 + $1.0 * $1.1 }
        var dataLeft = true
        for unit in 0..<total {
            if restartInterval > 0 && unit > 0 && unit % restartInterval == 0 {
                dataLeft = reader.restart()
                eobRun = 0
                for index in scan.components { f.components[index].prediction = 0 }
            }
            // Out of data (libjpeg's `insufficient_data`): the rest of the segment is left
            // as it is. Without a restart marker ahead that is the rest of the scan, so an
            // empty scan costs one unit, not a walk over every block.
            if reader.isExhausted {
                if !dataLeft || restartInterval == 0 { break }
                continue
            }
            blockVisits += blocksPerUnit
            guard blockVisits <= blockVisitBudget else {
                throw ImageError(.tooLarge, "JPEG scans decode more than \(blockVisitBudget) blocks "
                                 + "(the decode-work limit: DecodeLimits.maximumBlockVisitsPerBlock times the frame's blocks)")
            }
            let row = unit / unitsPerLine, column = unit % unitsPerLine
            for (slot, index) in scan.components.enumerated() {
                let (dc, ac) = tables[slot]
                if single {
                    try decodeBlock(&f.components[index], blockRow: row, blockColumn: column, scan: scan, dc: dc, ac: ac,
                                    reader: &reader, eobRun: &eobRun, progressive: f.progressive)
                } else {
                    let (ch, cv) = sampling[slot]
                    for v in 0..<cv {
                        for h in 0..<ch {
                            try decodeBlock(&f.components[index], blockRow: row * cv + v, blockColumn: column * ch + h,
                                            scan: scan, dc: dc, ac: ac, reader: &reader, eobRun: &eobRun, progressive: f.progressive)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func decodeBlock(_ c: inout Component, blockRow: Int, blockColumn: Int, scan: Scan, dc: JPEGHuffman?, ac: JPEGHuffman?,
                            reader: inout JPEGBitReader, eobRun: inout Int, progressive: Bool) throws {
        let base = (blockRow * c.blocksPerLine + blockColumn) * 64
        try c.coefficients.withUnsafeMutableBufferPointer { all in
            let block = all.baseAddress! + base
            if !progressive {
                let t = try dc!.decode(&reader)
                c.prediction += try reader.extended(t)
                block[0] = Int16(truncatingIfNeeded: c.prediction)
                var k = 1
                while k < 64 {
                    let rs = try ac!.decode(&reader)
                    let r = rs >> 4, s = rs & 15
                    if s == 0 {
                        if r != 15 { break }
                        k += 16
                        continue
                    }
                    k += r
                    guard k < 64 else { throw ImageError(.corrupt, "JPEG block has more than 64 coefficients") }
                    block[zigzag[k]] = Int16(truncatingIfNeeded: try reader.extended(s))
                    k += 1
                }
                return
            }
            if scan.start == 0 {
                if scan.high == 0 {
                    let t = try dc!.decode(&reader)
                    c.prediction += try reader.extended(t)
                    block[0] = Int16(truncatingIfNeeded: c.prediction << scan.low)
                } else if try reader.bit() == 1 {
                    block[0] |= Int16(truncatingIfNeeded: 1 << scan.low)
                }
                return
            }
            if scan.high == 0 {
                if eobRun > 0 { eobRun -= 1; return }
                var k = scan.start
                while k <= scan.end {
                    let rs = try ac!.decode(&reader)
                    let r = rs >> 4, s = rs & 15
                    if s == 0 {
                        if r < 15 {
                            eobRun = (1 << r) - 1 + (try reader.bits(r))
                            break
                        }
                        k += 16
                        continue
                    }
                    k += r
                    guard k <= 63 else { throw ImageError(.corrupt, "JPEG block has more than 64 coefficients") }
                    block[zigzag[k]] = Int16(truncatingIfNeeded: (try reader.extended(s)) * (1 << scan.low))
                    k += 1
                }
                return
            }
            // AC refinement (successive approximation).
            let bit = 1 << scan.low
            func refine(_ p: UnsafeMutablePointer<Int16>) throws {
                if try reader.bit() == 1 && Int(p.pointee) & bit == 0 {
                    p.pointee = Int16(truncatingIfNeeded: Int(p.pointee) + (p.pointee > 0 ? bit : -bit))
                }
            }
            var k = scan.start
            if eobRun > 0 {
                eobRun -= 1
                while k <= scan.end {
                    let p = block + zigzag[k]
                    if p.pointee != 0 { try refine(p) }
                    k += 1
                }
                return
            }
            while k <= scan.end {
                let rs = try ac!.decode(&reader)
                var r = rs >> 4
                var s = rs & 15
                if s == 0 {
                    if r < 15 {
                        eobRun = (1 << r) - 1 + (try reader.bits(r))
                        r = 64
                    }
                } else {
                    guard s == 1 else { throw ImageError(.corrupt, "bad JPEG refinement code") }
                    s = try reader.bit() == 1 ? bit : -bit
                }
                while k <= scan.end {
                    let p = block + zigzag[k]
                    k += 1
                    if p.pointee != 0 {
                        try refine(p)
                    } else {
                        if r == 0 {
                            p.pointee = Int16(truncatingIfNeeded: s)
                            break
                        }
                        r -= 1
                    }
                }
            }
        }
    }
}
