/// Netpbm reading: PGM (P2 text, P5 binary) and PPM (P3 text, P6 binary), any maxval up
/// to 65535. Samples are scaled to 8 bits as value·255/maxval rounded (exact for the usual
/// maxval 255); gray is replicated to RGB.
enum NetpbmDecoder {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws -> RGBImage {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), let kind = [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"),
                                                                          UInt8(ascii: "6")].firstIndex(of: bytes[1]) else {
            throw ImageError(.unsupported, "not a PGM/PPM file")
        }
        let channels = kind == 1 || kind == 3 ? 3 : 1
        let binary = kind >= 2
        var p = 2
        func token() throws -> Int {
            while p < bytes.count {
                if bytes[p] == UInt8(ascii: "#") {
                    while p < bytes.count && bytes[p] != 0x0A { p += 1 }
                } else if [0x20, 0x09, 0x0A, 0x0D].contains(bytes[p]) {
                    p += 1
                } else { break }
            }
            let start = p
            while p < bytes.count, (0x30...0x39).contains(bytes[p]) { p += 1 }
            guard p > start, p - start <= 9, let value = Int(String(decoding: bytes[start..<p], as: UTF8.self)) else {
                throw ImageError(p >= bytes.count ? .truncated : .corrupt, "bad number in PGM/PPM header")
            }
            return value
        }
        let width = try token(), height = try token(), maxValue = try token()
        try limits.check(width: width, height: height)
        guard (1...65535).contains(maxValue) else { throw ImageError(.corrupt, "PGM/PPM maxval \(maxValue) is out of range") }
        let count = width * height * channels
        var samples = [Int](repeating: 0, count: count)
        if binary {
            p += 1   // the single whitespace after maxval
            let size = maxValue > 255 ? 2 : 1
            guard p + count * size <= bytes.count else { throw ImageError(.truncated, "PGM/PPM pixel data is cut off") }
            for i in 0..<count {
                samples[i] = size == 1 ? Int(bytes[p + i]) : Int(bytes[p + 2 * i]) << 8 | Int(bytes[p + 2 * i + 1])
            }
        } else {
            for i in 0..<count { samples[i] = try token() }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            for c in 0..<3 {
                let v = Swift.min(samples[i * channels + (channels == 3 ? c : 0)], maxValue)
                out[i * 3 + c] = UInt8((v * 255 + maxValue / 2) / maxValue)
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
