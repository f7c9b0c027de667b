/// Reads the entropy-coded segment of a JPEG scan: MSB-first bits, 0xFF00 byte stuffing,
/// and a stop at the next marker (after which libjpeg feeds zero bits, as we do).
struct JPEGBitReader {
    let bytes: [UInt8]
    var position: Int
    var buffer: UInt64 = 0
    var count = 0
    /// Set once a marker has been reached; no more data bytes are read.
    var hitMarker = false
    /// Zero bits appended after the marker (the last `paddedBits` of the buffer's
    /// `count` are padding, or all of them once padding has been consumed).
    var paddedBits = 0

    /// Whether a decode has consumed padding: the segment's data ran out. libjpeg sets
    /// its `insufficient_data` flag at the same point and leaves the rest of the segment
    /// (up to the next restart marker) undecoded, as `JPEGDecoder` does.
    var isExhausted: Bool { count < paddedBits }

    init(_ bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    @inline(__always)
    mutating func fill() throws {
        while count <= 56 {
            if hitMarker {
                count += 8            // zeros, as libjpeg inserts past a premature marker
                paddedBits += 8
                continue
            }
            guard position < bytes.count else { throw ImageError(.truncated, "JPEG data ends inside a scan") }
            let byte = bytes[position]
            if byte == 0xFF {
                guard position + 1 < bytes.count else { throw ImageError(.truncated, "JPEG data ends inside a scan") }
                let next = bytes[position + 1]
                if next == 0x00 {
                    position += 2
                } else if next == 0xFF {
                    position += 1     // fill byte
                    continue
                } else {
                    hitMarker = true
                    continue
                }
            } else {
                position += 1
            }
            buffer |= UInt64(byte) << UInt64(56 - count)
            count += 8
        }
    }

    @inline(__always)
    mutating func bits(_ n: Int) throws -> Int {
        if n == 0 { return 0 }
        if count < n { try fill() }
        let value = Int(buffer >> UInt64(64 - n))
        buffer <<= UInt64(n)
        count -= n
        return value
    }

    @inline(__always)
    mutating func bit() throws -> Int { try bits(1) }

    /// `receive_extend`: n bits as a signed magnitude category value.
    @inline(__always)
    mutating func extended(_ n: Int) throws -> Int {
        if n == 0 { return 0 }
        guard n <= 16 else { throw ImageError(.corrupt, "JPEG coefficient category \(n) is invalid") }
        let value = try bits(n)
        return value < 1 << (n - 1) ? value - (1 << n) + 1 : value
    }

    /// Drops buffered bits and moves past the next marker if it is a restart marker.
    /// Returns false when the reader stopped at another marker instead (libjpeg's
    /// `resync_to_restart` then treats the next segment as empty: the scan has no more data).
    @discardableResult
    mutating func restart() -> Bool {
        buffer = 0
        count = 0
        paddedBits = 0
        hitMarker = false
        while position + 1 < bytes.count {
            if bytes[position] == 0xFF && (0xD0...0xD7).contains(bytes[position + 1]) {
                position += 2
                return true
            }
            if bytes[position] == 0xFF && bytes[position + 1] != 0 && bytes[position + 1] != 0xFF { return false }
            position += 1
        }
        return false
    }

    /// The position of the marker that ends the scan.
    func finish() -> Int {
        // `fill` never consumes a marker, so the next one is at or after `position`.
        var p = position
        while p + 1 < bytes.count {
            if bytes[p] == 0xFF && bytes[p + 1] != 0 && bytes[p + 1] != 0xFF && !(0xD0...0xD7).contains(bytes[p + 1]) {
                return p
            }
            p += 1
        }
        return bytes.count
    }
}

/// A JPEG Huffman table with a 9-bit lookup and the standard maxcode fallback.
struct JPEGHuffman {
    var lookup = [Int32](repeating: -1, count: 512)   // symbol << 8 | length
    var maxCode = [Int](repeating: -1, count: 18)
    var valueOffset = [Int](repeating: 0, count: 17)
    var values: [UInt8] = []

    init(counts: [Int], values: [UInt8]) throws {
        guard counts.count == 16, counts.reduce(0, +) == values.count, values.count <= 256 else {
            throw ImageError(.corrupt, "JPEG Huffman table is malformed")
        }
        self.values = values
        var code = 0, k = 0
        for length in 1...16 {
            valueOffset[length] = k - code
            for _ in 0..<counts[length - 1] {
                // Check before use: an over-subscribed table would index past the lookup.
                guard code < 1 << length else { throw ImageError(.corrupt, "JPEG Huffman table is over-subscribed") }
                if length <= 9 {
                    let shift = 9 - length
                    for fill in 0..<(1 << shift) { lookup[(code << shift) | fill] = Int32(Int(values[k]) << 8 | length) }
                }
                code += 1
                k += 1
            }
            guard code <= 1 << length else { throw ImageError(.corrupt, "JPEG Huffman table is over-subscribed") }
            maxCode[length] = code - 1
            code <<= 1
        }
        maxCode[17] = Int.max
    }

    @inline(__always)
    func decode(_ reader: inout JPEGBitReader) throws -> Int {
        if reader.count < 16 { try reader.fill() }
        let peek = Int(reader.buffer >> 55)
        let entry = lookup[peek]
        if entry >= 0 {
            let length = Int(entry & 0xFF)
            reader.buffer <<= UInt64(length)
            reader.count -= length
            return Int(entry >> 8)
        }
        var code = Int(reader.buffer >> 54)   // 10 bits
        var length = 10
        while length <= 16 && code > maxCode[length] {
            length += 1
            code = Int(reader.buffer >> UInt64(64 - length))
        }
        guard length <= 16 else { throw ImageError(.corrupt, "bad Huffman code in JPEG data") }
        reader.buffer <<= UInt64(length)
        reader.count -= length
        let index = code + valueOffset[length]
        guard index >= 0 && index < values.count else { throw ImageError(.corrupt, "bad Huffman code in JPEG data") }
        return Int(values[index])
    }
}
