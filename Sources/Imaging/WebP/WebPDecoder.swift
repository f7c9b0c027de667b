/// WebP decoding as Pillow 12.3.0 does it (`WebPImagePlugin` → libwebp 1.6.0's
/// `WebPAnimDecoder` with RGBA output, then `convert("RGB")`): the RIFF container (simple
/// `VP8 ` / `VP8L`, or extended `VP8X` with `ALPH`, `ANIM` / `ANMF`), the first frame
/// decoded into a canvas cleared to transparent black, and the colour channels kept
/// as they are — not premultiplied, not composited (alpha is dropped).
enum WebPDecoder {
    /// True when `bytes` starts like a WebP file ("RIFF", size, "WEBP").
    static func matches(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes[0..<4].elementsEqual("RIFF".utf8) && bytes[8..<12].elementsEqual("WEBP".utf8)
    }

    /// A chunk: its four-character code and the byte range of its payload.
    struct Chunk {
        var fourCC: String
        var payload: Range<Int>
    }

    /// The frame to decode: the image chunk, the alpha chunk (lossy only), its
    /// rectangle on the canvas.
    struct Frame {
        var image: Chunk
        var alpha: Chunk?
        var x = 0, y = 0, width = 0, height = 0
    }

    static func le24(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16
    }

    /// Splits `range` of `bytes` into chunks (size, payload, padding to even length).
    static func chunks(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> [Chunk] {
        var out: [Chunk] = []
        var p = range.lowerBound
        while p < range.upperBound {
            guard range.upperBound - p >= 8 else { throw ImageError(.truncated, "WebP chunk header is cut off") }
            let fourCC = String(decoding: UnsafeBufferPointer(rebasing: b[p..<(p + 4)]), as: UTF8.self)
            let size = Int(b[p + 4]) | Int(b[p + 5]) << 8 | Int(b[p + 6]) << 16 | Int(b[p + 7]) << 24
            guard size <= range.upperBound - p - 8 else { throw ImageError(.truncated, "WebP chunk \(fourCC) runs past the end of the file") }
            out.append(Chunk(fourCC: fourCC, payload: (p + 8)..<(p + 8 + size)))
            p += 8 + size + (size & 1)
        }
        return out
    }

    /// The dimensions an image chunk declares.
    static func imageSize(_ b: UnsafeBufferPointer<UInt8>, _ chunk: Chunk) throws -> (Int, Int) {
        let payload = UnsafeBufferPointer(rebasing: b[chunk.payload])
        if chunk.fourCC == "VP8L" {
            let h = try VP8LDecoder.parseHeader(payload)
            return (h.width, h.height)
        }
        let h = try VP8FrameHeader.parseDimensions(payload)
        guard h.firstPartitionSize < payload.count else { throw ImageError(.truncated, "WebP VP8 first partition is cut off") }
        return (h.width, h.height)
    }

    /// Finds the canvas size and the first frame.
    static func parseContainer(_ b: UnsafeBufferPointer<UInt8>) throws -> (width: Int, height: Int, frame: Frame) {
        let riffSize = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
        guard riffSize >= 8 else { throw ImageError(.corrupt, "WebP RIFF size \(riffSize) is too small") }
        guard riffSize + 8 <= b.count else { throw ImageError(.truncated, "WebP file is cut off (RIFF size \(riffSize))") }
        let all = try chunks(b, 12..<(riffSize + 8))
        guard let first = all.first else { throw ImageError(.corrupt, "WebP file has no chunks") }
        switch first.fourCC {
        case "VP8 ", "VP8L":
            let (w, h) = try imageSize(b, first)
            return (w, h, Frame(image: first, alpha: nil, x: 0, y: 0, width: w, height: h))
        case "VP8X":
            guard first.payload.count >= 10 else { throw ImageError(.truncated, "WebP VP8X chunk is too short") }
            let p = first.payload.lowerBound
            let flags = b[p]
            let canvasW = le24(b, p + 4) + 1, canvasH = le24(b, p + 7) + 1
            let animated = flags & 0x02 != 0
            var alpha: Chunk? = nil
            for chunk in all.dropFirst() {
                switch chunk.fourCC {
                case "ALPH" where !animated:
                    if alpha == nil { alpha = chunk }
                case "VP8 " where !animated, "VP8L" where !animated:
                    let (w, h) = try imageSize(b, chunk)
                    guard w == canvasW, h == canvasH else {
                        throw ImageError(.corrupt, "WebP image of \(w) x \(h) does not match its canvas of \(canvasW) x \(canvasH)")
                    }
                    return (canvasW, canvasH, Frame(image: chunk, alpha: chunk.fourCC == "VP8 " ? alpha : nil,
                                                    x: 0, y: 0, width: w, height: h))
                case "ANMF" where animated:
                    return (canvasW, canvasH, try animationFrame(b, chunk, canvasW: canvasW, canvasH: canvasH))
                default:
                    continue
                }
            }
            throw ImageError(.corrupt, animated ? "animated WebP has no frames" : "WebP file has no image data")
        default:
            throw ImageError(.corrupt, "WebP file starts with an unknown chunk \(first.fourCC)")
        }
    }

    /// The first `ANMF` frame: offset, size and its ALPH / VP8 / VP8L sub-chunks.
    static func animationFrame(_ b: UnsafeBufferPointer<UInt8>, _ chunk: Chunk, canvasW: Int, canvasH: Int) throws -> Frame {
        guard chunk.payload.count >= 16 else { throw ImageError(.truncated, "WebP ANMF chunk is too short") }
        let p = chunk.payload.lowerBound
        let x = 2 * le24(b, p), y = 2 * le24(b, p + 3)
        let w = le24(b, p + 6) + 1, h = le24(b, p + 9) + 1
        guard x + w <= canvasW, y + h <= canvasH else { throw ImageError(.corrupt, "WebP animation frame lies outside the canvas") }
        var alpha: Chunk? = nil
        for sub in try chunks(b, (p + 16)..<chunk.payload.upperBound) {
            switch sub.fourCC {
            case "ALPH": if alpha == nil { alpha = sub }
            case "VP8 ", "VP8L":
                let (iw, ih) = try imageSize(b, sub)
                guard iw == w, ih == h else { throw ImageError(.corrupt, "WebP animation frame size does not match its image") }
                return Frame(image: sub, alpha: sub.fourCC == "VP8 " ? alpha : nil, x: x, y: y, width: w, height: h)
            default: continue
            }
        }
        throw ImageError(.corrupt, "WebP animation frame has no image data")
    }

    /// Decodes a WebP file's first frame to RGB.
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        guard matches(bytes) else { throw ImageError(.unsupported, "not a WebP file") }
        return try bytes.withUnsafeBufferPointer { b in
            let (canvasW, canvasH, frame) = try parseContainer(b)
            try limits.check(width: canvasW, height: canvasH)
            var rgb = [UInt8](repeating: 0, count: canvasW * canvasH * 3)
            let payload = UnsafeBufferPointer(rebasing: b[frame.image.payload])
            if frame.image.fourCC == "VP8L" {
                let image = try VP8LDecoder.decode(payload)
                for row in 0..<frame.height {
                    var d = ((frame.y + row) * canvasW + frame.x) * 3
                    for col in 0..<frame.width {
                        let argb = image.argb[row * frame.width + col]
                        rgb[d] = UInt8(truncatingIfNeeded: argb >> 16)
                        rgb[d + 1] = UInt8(truncatingIfNeeded: argb >> 8)
                        rgb[d + 2] = UInt8(truncatingIfNeeded: argb)
                        d += 3
                    }
                }
            } else {
                if let alpha = frame.alpha {
                    try WebPAlpha.validate(UnsafeBufferPointer(rebasing: b[alpha.payload]), width: frame.width, height: frame.height)
                }
                let planes = try VP8Decoder.decode(payload)
                rgb.withUnsafeMutableBufferPointer { out in
                    WebPYUVToRGB.convert(planes, to: out.baseAddress! + (frame.y * canvasW + frame.x) * 3, outStride: canvasW * 3)
                }
            }
            return RGBImage(width: canvasW, height: canvasH, pixels: rgb)
        }
    }
}
