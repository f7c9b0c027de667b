/// GIF (87a and 89a) decoding of the first frame, as Pillow's `GifImagePlugin` renders
/// it for `Image.open(f).convert("RGB")`:
///
/// * the canvas is the logical screen, grown to hold the first frame if it sticks out;
/// * the canvas starts as palette index 0, or as the frame's transparent index when its
///   graphic control extension names one, and the frame's pixels (transparent ones
///   included: frame 0 is not composited) are written at the frame's offset;
/// * the local palette wins over the global one; a palette that is exactly the ramp
///   0, 1, 2, … is dropped and indices become gray levels (Pillow's mode `L`); otherwise
///   indices past the palette are black; without any palette indices are gray levels;
/// * LZW follows Pillow's `GifDecode.c` (see `LZW.decodeGIF`), interlaced rows in the
///   four GIF passes; later frames, disposal and the background colour do not affect
///   frame 0.
enum GIFDecoder {
    static func isGIF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 6 && (bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)))
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        guard isGIF(bytes) else { throw ImageError(.unsupported, "not a GIF file") }
        guard bytes.count >= 13 else { throw ImageError(.truncated, "GIF header is cut off") }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        var width = u16(6), height = u16(8)
        var position = 13
        func palette(_ flags: UInt8) throws -> [UInt8]? {
            guard flags & 0x80 != 0 else { return nil }
            let size = 3 << (Int(flags & 7) + 1)
            guard position + size <= bytes.count else { throw ImageError(.truncated, "GIF colour table is cut off") }
            defer { position += size }
            let entries = Array(bytes[position..<(position + size)])
            // Pillow drops a palette that maps every index to the same gray level.
            let isRamp = stride(from: 0, to: size, by: 3).allSatisfy {
                entries[$0] == UInt8(truncatingIfNeeded: $0 / 3) && entries[$0 + 1] == entries[$0] && entries[$0 + 2] == entries[$0]
            }
            return isRamp ? [] : entries
        }
        /// The data sub-blocks from `position` up to the terminator (complete blocks only).
        func subBlocks() -> [UInt8] {
            var data: [UInt8] = []
            while position < bytes.count {
                let size = Int(bytes[position])
                position += 1
                if size == 0 { break }
                guard position + size <= bytes.count else { position = bytes.count; break }
                data += bytes[position..<(position + size)]
                position += size
            }
            return data
        }
        let globalPalette = try palette(bytes[10])
        var transparency: Int?
        while true {
            guard position < bytes.count, bytes[position] != UInt8(ascii: ";") else {
                throw ImageError(.corrupt, "GIF has no image")
            }
            let introducer = bytes[position]
            position += 1
            if introducer == UInt8(ascii: "!") {
                guard position < bytes.count else { throw ImageError(.truncated, "GIF extension is cut off") }
                let label = bytes[position]
                position += 1
                if label == 0xF9, position < bytes.count, bytes[position] >= 4, position + 5 <= bytes.count {
                    // Graphic control extension: flags, delay, transparent index.
                    if bytes[position + 1] & 1 != 0 { transparency = Int(bytes[position + 4]) }
                }
                _ = subBlocks()
                continue
            }
            guard introducer == UInt8(ascii: ",") else { continue }   // Pillow skips stray bytes
            guard position + 9 <= bytes.count else { throw ImageError(.truncated, "GIF image descriptor is cut off") }
            let x0 = u16(position), y0 = u16(position + 2), frameWidth = u16(position + 4), frameHeight = u16(position + 6)
            let flags = bytes[position + 8]
            position += 9
            width = Swift.max(width, x0 + frameWidth)
            height = Swift.max(height, y0 + frameHeight)
            try limits.check(width: width, height: height)
            let localPalette = try palette(flags)
            guard position < bytes.count else { throw ImageError(.truncated, "GIF image data is missing") }
            let minimumCodeSize = Int(bytes[position])
            position += 1
            let lookup = localPalette ?? globalPalette ?? []
            var canvas = [UInt8](repeating: UInt8(transparency ?? 0), count: width * height)
            if frameWidth > 0 && frameHeight > 0 {
                let indices = try LZW.decodeGIF(subBlocks(), minimumCodeSize: minimumCodeSize, count: frameWidth * frameHeight)
                let rows = flags & 0x40 != 0 ? interlacedRows(frameHeight) : Array(0..<frameHeight)
                for (i, row) in rows.enumerated() {
                    let dst = (y0 + row) * width + x0
                    canvas.replaceSubrange(dst..<(dst + frameWidth), with: indices[(i * frameWidth)..<((i + 1) * frameWidth)])
                }
            }
            return lookup.isEmpty ? PaletteExpansion.rgb(gray: canvas, width: width, height: height)
                : PaletteExpansion.rgb(indices: canvas, palette: lookup, width: width, height: height)
        }
    }

    /// The image row of each stored row of an interlaced frame (passes from rows 0, 4, 2, 1
    /// in steps of 8, 8, 4, 2).
    static func interlacedRows(_ height: Int) -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(height)
        for (start, step) in [(0, 8), (4, 8), (2, 4), (1, 2)] {
            rows += stride(from: start, to: height, by: step)
        }
        return rows
    }
}
