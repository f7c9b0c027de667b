import Tensor

/// Baseline TIFF decoding of the first page, as Pillow's `TiffImagePlugin` (raw decoder
/// for uncompressed data, libtiff otherwise) gives it to `convert("RGB")`: strips and
/// tiles; no compression, LZW, Deflate, PackBits and JPEG (YCbCr or gray); the horizontal predictor; chunky and
/// planar sample layouts; fill order 2; the pixel kinds of `TIFFPixelKind`. As in Pillow,
/// the Orientation tag (274) is applied when the image is loaded (`exif_transpose` in
/// `TiffImageFile.load_end`), unlike JPEG's EXIF orientation.
enum TIFFDecoder {
    enum Tag {
        static let width = 256, height = 257, bitsPerSample = 258, compression = 259, photometric = 262, fillOrder = 266
        static let stripOffsets = 273, orientation = 274, samplesPerPixel = 277, rowsPerStrip = 278, stripByteCounts = 279
        static let planarConfiguration = 284, predictor = 317, colorMap = 320, tileWidth = 322, tileLength = 323
        static let tileOffsets = 324, tileByteCounts = 325, extraSamples = 338, sampleFormat = 339
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        let ifd = try TIFFDirectory(bytes)
        guard let width = ifd[Tag.width]?.first, let height = ifd[Tag.height]?.first else {
            throw ImageError(.corrupt, "TIFF has no image width or length")
        }
        try limits.check(width: width, height: height)
        let compression = ifd.value(Tag.compression, 1)
        guard TIFFCompression.isSupported(compression) else {
            throw ImageError(.unsupported, "TIFF compression \(compression) is not supported (none, LZW, Deflate and PackBits are)")
        }
        let planar = ifd.value(Tag.planarConfiguration, 1)
        var samples = ifd.value(Tag.samplesPerPixel, 1)
        var bits = ifd[Tag.bitsPerSample] ?? [1]
        var extras = ifd[Tag.extraSamples] ?? []
        if planar == 2 && !extras.isEmpty && extras.max() == 0 {
            bits = Array(bits.dropLast(Swift.min(extras.count, bits.count)))
            samples -= extras.count
            extras = []
        }
        guard (1...6).contains(samples) else { throw ImageError(.unsupported, "TIFF with \(samples) samples per pixel is not supported") }
        if samples < bits.count { bits = Array(bits.prefix(samples)) } else if samples > bits.count && bits.count == 1 {
            bits = Array(repeating: bits[0], count: samples)
        }
        guard bits.count == samples, Set(bits).count == 1, let bps = bits.first, [1, 2, 4, 8, 16].contains(bps) else {
            throw ImageError(.unsupported, "TIFF with bits per sample \(bits) is not supported")
        }
        let photometric = ifd.value(Tag.photometric, 0)
        // JPEG in TIFF: YCbCr comes out of libjpeg as RGB (Pillow asks libtiff for JPEGCOLORMODE_RGB); gray as gray.
        let jpegKind: TIFFPixelKind? = compression != 7 ? nil
            : photometric == 6 && bits == [8, 8, 8] && planar == 1 ? .rgb(bytes: 1, samples: 3, premultiplied: false)
            : photometric == 1 && bits == [8] ? .gray(bits: 8, inverted: false) : nil
        if compression == 7 && jpegKind == nil {
            throw ImageError(.unsupported, "JPEG-compressed TIFF with photometric \(photometric) and \(bits) bits is not supported")
        }
        guard let kind = jpegKind ?? TIFFPixelKind.from(photometric: photometric, sampleFormat: ifd[Tag.sampleFormat] ?? [1], bits: bits,
                                                        extras: extras, bigEndian: ifd.bigEndian) else {
            throw ImageError(.unsupported, "TIFF pixel layout (photometric \(photometric), \(bits) bits, extra samples \(extras)) is not supported")
        }
        // Pillow reads uncompressed data with its raw decoder, which ignores the predictor.
        let predictor = compression == 1 ? 1 : ifd.value(Tag.predictor, 1)
        guard predictor == 1 || predictor == 2 else {
            throw ImageError(.unsupported, "TIFF predictor \(predictor) is not supported")
        }
        let planes = planar == 2 ? samples : 1
        let samplesPerPlane = planar == 2 ? 1 : samples
        let planeRowBytes = (width * samplesPerPlane * bps + 7) / 8
        let reversed = ifd.value(Tag.fillOrder, 1) == 2
        let jpegTables = (ifd[347] ?? []).map { UInt8(truncatingIfNeeded: $0) }

        /// One strip or tile: its bytes decompressed, bit order fixed and predictor undone.
        func chunk(_ index: Int, offsets: [Int], counts: [Int]?, rows: Int, fullRows: Int, rowBytes: Int) throws -> [UInt8] {
            guard index < offsets.count else { throw ImageError(.corrupt, "TIFF has too few strip or tile offsets") }
            let offset = offsets[index]
            guard offset <= bytes.count else { throw ImageError(.truncated, "TIFF strip or tile offset is outside the file") }
            let end: Int
            if compression == 1 {
                end = bytes.count
            } else {
                guard let counts, index < counts.count else { throw ImageError(.corrupt, "TIFF has no strip or tile byte counts") }
                end = Swift.min(bytes.count, offset + counts[index])
            }
            if compression == 7 {
                return try TIFFCompression.jpeg(bytes[offset..<end], tables: jpegTables, width: rowBytes / samples, rows: rows,
                                                fullRows: fullRows, components: samples)
            }
            var data = try TIFFCompression.decompress(bytes[offset..<end], scheme: compression, count: rows * rowBytes,
                                                      fullCount: fullRows * rowBytes)
            if reversed { for i in data.indices { data[i] = reverseBits[Int(data[i])] } }
            if predictor == 2 {
                try TIFFCompression.undoPredictor(&data, rowBytes: rowBytes, rows: rows, bitsPerSample: bps,
                                                  samplesPerPixel: samplesPerPlane, bigEndian: ifd.bigEndian)
            }
            return data
        }

        /// A strip or tile: which chunk, how it decodes, and where its rows go in its plane.
        struct Job { var index: Int, plane: Int, rows: Int, fullRows: Int, chunkRowBytes: Int, y0: Int, copyRows: Int, rowStart: Int, copyBytes: Int }
        var jobs: [Job] = []
        let offsets: [Int], counts: [Int]?
        if let tileOffsets = ifd[Tag.tileOffsets] {
            guard let tileWidth = ifd[Tag.tileWidth]?.first, let tileLength = ifd[Tag.tileLength]?.first, tileWidth > 0, tileLength > 0,
                  tileWidth <= Swift.max(width, 1024), tileLength <= Swift.max(height, 1024) else {
                throw ImageError(.corrupt, "TIFF tile size is missing or out of range")
            }
            let tileRowBytes = (tileWidth * samplesPerPlane * bps + 7) / 8
            guard (tileWidth * samplesPerPlane * bps) % 8 == 0 else { throw ImageError(.unsupported, "TIFF tiles that are not whole bytes wide") }
            let across = (width + tileWidth - 1) / tileWidth, down = (height + tileLength - 1) / tileLength
            offsets = tileOffsets; counts = ifd[Tag.tileByteCounts]
            for p in 0..<planes {
                for ty in 0..<down {
                    for tx in 0..<across {
                        let rowStart = tx * tileWidth * samplesPerPlane * bps / 8
                        jobs.append(Job(index: p * across * down + ty * across + tx, plane: p, rows: tileLength, fullRows: tileLength,
                                        chunkRowBytes: tileRowBytes, y0: ty * tileLength, copyRows: Swift.min(tileLength, height - ty * tileLength),
                                        rowStart: rowStart, copyBytes: Swift.min(tileRowBytes, planeRowBytes - rowStart)))
                    }
                }
            }
        } else if let stripOffsets = ifd[Tag.stripOffsets] {
            let rowsPerStrip = Swift.max(1, Swift.min(ifd.value(Tag.rowsPerStrip, height), height))
            // Pillow's raw decoder reads a single whole-image strip from the last offset.
            let single = compression == 1 && planar == 1 && ifd.value(Tag.rowsPerStrip, height) == height
            offsets = single ? Array(stripOffsets.suffix(1)) : stripOffsets
            counts = ifd[Tag.stripByteCounts]
            let stripsPerPlane = (height + rowsPerStrip - 1) / rowsPerStrip
            for p in 0..<planes {
                for s in 0..<stripsPerPlane {
                    let y0 = s * rowsPerStrip, rows = Swift.min(rowsPerStrip, height - y0)
                    jobs.append(Job(index: p * stripsPerPlane + s, plane: p, rows: rows, fullRows: rowsPerStrip, chunkRowBytes: planeRowBytes,
                                    y0: y0, copyRows: rows, rowStart: 0, copyBytes: planeRowBytes))
                }
            }
        } else {
            throw ImageError(.corrupt, "TIFF has neither strips nor tiles")
        }
        for job in jobs where job.index >= offsets.count {
            throw ImageError(.corrupt, "TIFF has \(offsets.count) strip or tile offsets, \(job.index + 1) needed")
        }
        // Strips and tiles are independent: decode them in parallel, each into its own rows.
        let planeSize = height * planeRowBytes
        var planeData = [UInt8](repeating: 0, count: planes * planeSize)
        var failures = [ImageError?](repeating: nil, count: jobs.count)
        planeData.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { failed in
                parallelFor(jobs.count, grain: 1) { range in
                    for j in range {
                        let job = jobs[j]
                        do {
                            if compression == 1 && !reversed {
                                // Uncompressed: copy the rows straight from the file.
                                let offset = offsets[job.index]
                                guard offset <= bytes.count, bytes.count - offset >= job.rows * job.chunkRowBytes else {
                                    throw ImageError(.truncated, "TIFF strip or tile is cut off")
                                }
                                bytes.withUnsafeBufferPointer { source in
                                    for r in 0..<job.copyRows {
                                        let dst = job.plane * planeSize + (job.y0 + r) * planeRowBytes + job.rowStart
                                        (out.baseAddress! + dst).update(from: source.baseAddress! + offset + r * job.chunkRowBytes,
                                                                        count: job.copyBytes)
                                    }
                                }
                                continue
                            }
                            let chunk = try chunk(job.index, offsets: offsets, counts: counts, rows: job.rows, fullRows: job.fullRows,
                                                  rowBytes: job.chunkRowBytes)
                            chunk.withUnsafeBufferPointer { source in
                                for r in 0..<job.copyRows {
                                    let dst = job.plane * planeSize + (job.y0 + r) * planeRowBytes + job.rowStart
                                    (out.baseAddress! + dst).update(from: source.baseAddress! + r * job.chunkRowBytes, count: job.copyBytes)
                                }
                            }
                        } catch {
                            failed[j] = error as? ImageError ?? ImageError(.corrupt, "\(error)")
                        }
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }

        var data: [UInt8], rowBytes: Int
        if planes == 1 {
            data = planeData; rowBytes = planeRowBytes
        } else {
            // Interleave the planes (8- or 16-bit samples) into chunky rows.
            guard bps >= 8 else { throw ImageError(.unsupported, "planar TIFF with \(bps)-bit samples is not supported") }
            let size = bps / 8
            rowBytes = width * samples * size
            data = [UInt8](repeating: 0, count: height * rowBytes)
            for p in 0..<planes {
                for y in 0..<height {
                    for x in 0..<width {
                        for b in 0..<size {
                            data[y * rowBytes + (x * samples + p) * size + b] = planeData[p * planeSize + y * planeRowBytes + x * size + b]
                        }
                    }
                }
            }
        }
        let image = try kind.rgb(data, width: width, height: height, rowBytes: rowBytes, bigEndian: ifd.bigEndian,
                                 colormap: ifd[Tag.colorMap] ?? [])
        let orientation = ifd.value(Tag.orientation, 1)
        return (2...8).contains(orientation) ? Orientation.apply(orientation, to: image) : image
    }

    static let reverseBits: [UInt8] = (0..<256).map { v in
        var r: UInt8 = 0
        for i in 0..<8 where v & (1 << i) != 0 { r |= 0x80 >> UInt8(i) }
        return r
    }
}
