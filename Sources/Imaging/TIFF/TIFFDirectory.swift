/// The first image file directory (IFD) of a classic TIFF file: its integer-valued tags.
///
/// Only BYTE, SHORT and LONG values are kept (every tag the decoder needs has one of
/// those types); every count and offset is checked against the file before it is read.
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
        guard bytes[2] | bytes[3] != 0x2B else { throw ImageError(.unsupported, "BigTIFF is not supported") }
        guard bytes.count >= 8 else { throw ImageError(.truncated, "TIFF header is cut off") }
        let reader = TIFFByteReader(bytes: bytes, bigEndian: bigEndian)
        let ifd = reader.u32(4)
        guard ifd >= 8, ifd + 2 <= bytes.count else { throw ImageError(.truncated, "TIFF directory offset \(ifd) is outside the file") }
        let count = reader.u16(ifd)
        guard ifd + 2 + 12 * count <= bytes.count else { throw ImageError(.truncated, "TIFF directory is cut off") }
        for i in 0..<count {
            let e = ifd + 2 + 12 * i
            let tag = reader.u16(e), type = reader.u16(e + 2), n = reader.u32(e + 4)
            let size: Int
            switch type {
            case 1: size = 1
            case 3: size = 2
            case 4: size = 4
            default: continue
            }
            guard n <= bytes.count else { throw ImageError(.corrupt, "TIFF tag \(tag) claims \(n) values") }
            let start = n * size <= 4 ? e + 8 : reader.u32(e + 8)
            guard start + n * size <= bytes.count else { throw ImageError(.truncated, "TIFF tag \(tag) values are outside the file") }
            tags[tag] = (0..<n).map { k in
                switch size {
                case 1: return Int(bytes[start + k])
                case 2: return reader.u16(start + 2 * k)
                default: return reader.u32(start + 4 * k)
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
}
