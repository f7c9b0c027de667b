/// The first image file directory (IFD) of a classic TIFF or BigTIFF file: its
/// integer-valued tags.
///
/// Only BYTE, UNDEFINED, SHORT, LONG and LONG8 values are kept (every tag the decoder needs has one
/// of those types); every count and offset is checked against the file before it is read.
struct TIFFDirectory {
    let bigEndian: Bool
    private(set) var tags: [Int: [Int]] = [:]

    static func isTIFF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && (bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || bytes.starts(with: [0x49, 0x49, 0x2B, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2B]))
    }

    init(_ bytes: [UInt8]) throws {
        guard Self.isTIFF(bytes) else { throw ImageError(.unsupported, "not a TIFF file") }
        bigEndian = bytes[0] == 0x4D
        let big = bytes[2] | bytes[3] == 0x2B
        guard bytes.count >= (big ? 16 : 8) else { throw ImageError(.truncated, "TIFF header is cut off") }
        let reader = TIFFByteReader(bytes: bytes, bigEndian: bigEndian)
        if big && (reader.u16(4) != 8 || reader.u16(6) != 0) { throw ImageError(.corrupt, "BigTIFF header has a bad offset size") }
        // Classic TIFF: 2-byte entry count, 12-byte entries, 4-byte values; BigTIFF: 8, 20, 8.
        let (countSize, entrySize, slot) = big ? (8, 20, 8) : (2, 12, 4)
        let ifd = big ? reader.u64(8) : reader.u32(4)
        guard ifd >= 8, ifd <= bytes.count - countSize else { throw ImageError(.truncated, "TIFF directory offset \(ifd) is outside the file") }
        let count = big ? reader.u64(ifd) : reader.u16(ifd)
        guard count <= (bytes.count - ifd - countSize) / entrySize else { throw ImageError(.truncated, "TIFF directory is cut off") }
        for i in 0..<count {
            let e = ifd + countSize + entrySize * i
            let tag = reader.u16(e), type = reader.u16(e + 2), n = big ? reader.u64(e + 4) : reader.u32(e + 4)
            let valueAt = e + (big ? 12 : 8)
            let size: Int
            switch type {
            case 1, 7: size = 1   // BYTE, UNDEFINED (JPEGTables)
            case 3: size = 2
            case 4: size = 4
            case 16: size = 8
            default: continue
            }
            guard n <= bytes.count / size else { throw ImageError(.corrupt, "TIFF tag \(tag) claims \(n) values") }
            let start = n * size <= slot ? valueAt : (big ? reader.u64(valueAt) : reader.u32(valueAt))
            guard start <= bytes.count - n * size else { throw ImageError(.truncated, "TIFF tag \(tag) values are outside the file") }
            tags[tag] = (0..<n).map { k in
                switch size {
                case 1: return Int(bytes[start + k])
                case 2: return reader.u16(start + 2 * k)
                case 4: return reader.u32(start + 4 * k)
                default: return reader.u64(start + 8 * k)
                }
            }
        }
    }

    subscript(_ tag: Int) -> [Int]? { tags[tag] }

    /// The first value of `tag`, or `fallback` when it is absent.
    func value(_ tag: Int, _ fallback: Int) -> Int { tags[tag]?.first ?? fallback }
}

/// Byte-order aware integer reads (bounds are checked by the callers).
struct TIFFByteReader {
    let bytes: [UInt8]
    let bigEndian: Bool

    func u16(_ i: Int) -> Int {
        bigEndian ? Int(bytes[i]) << 8 | Int(bytes[i + 1]) : Int(bytes[i]) | Int(bytes[i + 1]) << 8
    }

    func u32(_ i: Int) -> Int {
        bigEndian ? u16(i) << 16 | u16(i + 2) : u16(i) | u16(i + 2) << 16
    }

    /// A 64-bit value, saturated so that an absurd offset or count fails the bounds checks
    /// instead of overflowing.
    func u64(_ i: Int) -> Int {
        let (high, low) = bigEndian ? (u32(i), u32(i + 4)) : (u32(i + 4), u32(i))
        return high >= 1 << 31 ? Int.max / 2 : high << 32 | low
    }
}
