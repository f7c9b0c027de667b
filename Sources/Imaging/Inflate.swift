/// zlib (RFC 1950) and DEFLATE (RFC 1951) decompression, written for PNG.
///
/// Stored, fixed-Huffman and dynamic-Huffman blocks; the zlib header and Adler-32
/// checksum are verified. Every read is bounds-checked and the output is capped, so
/// hostile input ends in an `ImageError`, never a trap or runaway allocation.
enum Inflate {
    /// Decompresses a zlib stream whose output must not exceed `limit` bytes.
    static func zlib(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        guard input.count >= 6 else { throw ImageError(.truncated, "zlib stream is too short") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7 else { throw ImageError(.corrupt, "zlib stream does not use deflate") }
        guard (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { throw ImageError(.corrupt, "zlib header check failed") }
        guard flg & 0x20 == 0 else { throw ImageError(.unsupported, "zlib preset dictionaries are not supported") }
        var reader = BitReader(input, start: 2)
        let output = try inflate(&reader, limit: limit)
        reader.alignToByte()
        let position = reader.bytePosition
        guard position + 4 <= input.count else { throw ImageError(.truncated, "zlib stream ends before its checksum") }
        let expected = input[position..<(position + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler32(output) == expected else { throw ImageError(.corrupt, "zlib Adler-32 checksum mismatch") }
        return output
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < data.count {
            let end = Swift.min(index + 5552, data.count)   // largest run without overflow
            while index < end {
                a &+= UInt32(data[index])
                b &+= a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// LSB-first bit reader over a byte array.
    struct BitReader {
        let bytes: [UInt8]
        var bytePosition: Int
        var bitBuffer: UInt64 = 0
        var bitCount = 0

        init(_ bytes: [UInt8], start: Int) {
            self.bytes = bytes
            bytePosition = start
        }

        mutating func bits(_ n: Int) throws -> Int {
            while bitCount < n {
                guard bytePosition < bytes.count else { throw ImageError(.truncated, "deflate stream ends early") }
                bitBuffer |= UInt64(bytes[bytePosition]) << UInt64(bitCount)
                bytePosition += 1
                bitCount += 8
            }
            let value = Int(bitBuffer & ((1 << UInt64(n)) - 1))
            bitBuffer >>= UInt64(n)
            bitCount -= n
            return value
        }

        /// Drops the bits left in the current byte (whole bytes in the buffer are returned).
        mutating func alignToByte() {
            let drop = bitCount % 8
            bitBuffer >>= UInt64(drop)
            bitCount -= drop
            bytePosition -= bitCount / 8
            bitBuffer = 0
            bitCount = 0
        }
    }

    /// A canonical Huffman code, decoded with a 9-bit lookup table plus a bit-by-bit
    /// fallback for longer codes (the counts/symbols scheme of zlib's `puff`).
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]
        static let fastBits = 9
        /// For each 9-bit (bit-reversed) prefix: symbol << 4 | length, or -1.
        var fast = [Int](repeating: -1, count: 1 << fastBits)

        init(lengths: [Int]) throws {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                guard left >= 0 else { throw ImageError(.corrupt, "over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
            // Fill the fast table with codes of up to 9 bits.
            var code = 0, first = 0, index = 0
            for length in 1...Self.fastBits {
                for i in 0..<counts[length] {
                    let canonical = first + i
                    // Bit-reverse: deflate sends Huffman codes MSB first into an LSB reader.
                    var reversed = 0
                    for b in 0..<length where canonical & (1 << b) != 0 { reversed |= 1 << (length - 1 - b) }
                    var fill = reversed
                    while fill < (1 << Self.fastBits) {
                        fast[fill] = symbols[index + i] << 4 | length
                        fill += 1 << length
                    }
                }
                index += counts[length]
                code = (first + counts[length]) << 1
                first = code
            }
        }

        func decode(_ reader: inout BitReader) throws -> Int {
            // Fast path: peek 9 bits when available.
            while reader.bitCount < Self.fastBits && reader.bytePosition < reader.bytes.count {
                reader.bitBuffer |= UInt64(reader.bytes[reader.bytePosition]) << UInt64(reader.bitCount)
                reader.bytePosition += 1
                reader.bitCount += 8
            }
            if reader.bitCount >= Self.fastBits {
                let entry = fast[Int(reader.bitBuffer & UInt64((1 << Self.fastBits) - 1))]
                if entry >= 0 {
                    let length = entry & 15
                    reader.bitBuffer >>= UInt64(length)
                    reader.bitCount -= length
                    return entry >> 4
                }
            }
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try reader.bits(1)
                let count = counts[length]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw ImageError(.corrupt, "invalid Huffman code in deflate stream")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func inflate(_ reader: inout BitReader, limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Swift.min(limit, 1 << 24))
        var last = false
        let fixedLiterals = try Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
        let fixedDistances = try Huffman(lengths: [Int](repeating: 5, count: 30))
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                reader.alignToByte()
                let p = reader.bytePosition
                guard p + 4 <= reader.bytes.count else { throw ImageError(.truncated, "stored block header cut off") }
                let length = Int(reader.bytes[p]) | Int(reader.bytes[p + 1]) << 8
                let complement = Int(reader.bytes[p + 2]) | Int(reader.bytes[p + 3]) << 8
                guard length == ~complement & 0xFFFF else { throw ImageError(.corrupt, "stored block length check failed") }
                guard p + 4 + length <= reader.bytes.count else { throw ImageError(.truncated, "stored block cut off") }
                guard out.count + length <= limit else { throw ImageError(.corrupt, "decompressed data exceeds the expected size") }
                out.append(contentsOf: reader.bytes[(p + 4)..<(p + 4 + length)])
                reader.bytePosition = p + 4 + length
            case 1:
                try codes(&reader, &out, fixedLiterals, fixedDistances, limit: limit)
            case 2:
                let (literals, distances) = try dynamicTables(&reader)
                try codes(&reader, &out, literals, distances, limit: limit)
            default:
                throw ImageError(.corrupt, "invalid deflate block type")
            }
        }
        return out
    }

    static func dynamicTables(_ reader: inout BitReader) throws -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeCount = try reader.bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw ImageError(.corrupt, "bad dynamic block counts") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeCount { codeLengths[order[i]] = try reader.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try lengthCode.decode(&reader)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw ImageError(.corrupt, "repeat with no previous length") }
                lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw ImageError(.corrupt, "too many code lengths") }
        guard lengths[256] != 0 else { throw ImageError(.corrupt, "no end-of-block code") }
        return (try Huffman(lengths: Array(lengths[0..<literalCount])),
                try Huffman(lengths: Array(lengths[literalCount...])))
    }

    static func codes(_ reader: inout BitReader, _ out: inout [UInt8], _ literals: Huffman, _ distances: Huffman,
                      limit: Int) throws {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard out.count < limit else { throw ImageError(.corrupt, "decompressed data exceeds the expected size") }
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < 29 else { throw ImageError(.corrupt, "invalid length code") }
                let length = lengthBase[index] + (try reader.bits(lengthExtra[index]))
                let d = try distances.decode(&reader)
                guard d < 30 else { throw ImageError(.corrupt, "invalid distance code") }
                let distance = distanceBase[d] + (try reader.bits(distanceExtra[d]))
                guard distance <= out.count else { throw ImageError(.corrupt, "distance reaches before the start of the data") }
                guard out.count + length <= limit else { throw ImageError(.corrupt, "decompressed data exceeds the expected size") }
                let start = out.count - distance
                for i in 0..<length { out.append(out[start + i]) }
            }
        }
    }
}
