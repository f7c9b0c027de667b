/// Lempel–Ziv–Welch decoding for the two dialects images use: GIF's (LSB-first codes,
/// width grows after code 2^n − 1 is added) and TIFF's (MSB-first codes, "early change":
/// width grows one code sooner). Both share the string table and the string copy.
///
/// Work is bounded by the output: every data code writes at least one byte, the output is
/// capped at the caller's byte count, and a code string is at most 4096 bytes. A code
/// stream of nothing but clear codes is bounded by the input (each code is ≥ 3 bits).
enum LZW {
    /// The 4096-entry string table: each entry is its prefix entry plus one byte. Every
    /// index is < 4096 by construction (codes have at most 12 bits; entries are added only
    /// while `next < 4096`), so the storage is unchecked.
    final class Table {
        let prefix = UnsafeMutablePointer<UInt16>.allocate(capacity: 4096)
        let suffix = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
        let first = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
        let length = UnsafeMutablePointer<Int>.allocate(capacity: 4096)

        init(literals: Int) {
            prefix.initialize(repeating: 0, count: 4096)
            suffix.initialize(repeating: 0, count: 4096)
            first.initialize(repeating: 0, count: 4096)
            length.initialize(repeating: 0, count: 4096)
            for i in 0..<literals {
                suffix[i] = UInt8(truncatingIfNeeded: i); first[i] = UInt8(truncatingIfNeeded: i); length[i] = 1
            }
        }

        deinit {
            prefix.deallocate(); suffix.deallocate(); first.deallocate(); length.deallocate()
        }

        /// Writes the string of `code` at `out[position...]`, dropping bytes past `capacity`.
        @inline(__always)
        func write(_ code: Int, to out: UnsafeMutablePointer<UInt8>, at position: Int, capacity: Int) {
            var c = code
            var i = position + length[code] - 1
            if i < capacity {
                while i >= position {
                    out[i] = suffix[c]
                    c = Int(prefix[c])
                    i -= 1
                }
                return
            }
            while i >= position {
                if i < capacity { out[i] = suffix[c] }
                c = Int(prefix[c])
                i -= 1
            }
        }

        @inline(__always)
        func add(prefix p: Int, byte: UInt8, at index: Int) {
            prefix[index] = UInt16(p)
            suffix[index] = byte
            first[index] = first[p]
            length[index] = length[p] + 1
        }

        /// Writes the string of `code` at `out[position...]` and advances `position`; a code
        /// equal to `next` (not yet in the table: the KwKwK case) is the previous string plus
        /// its own first byte. Returns the first byte of what was written, which the caller
        /// appends to `previous` to make the next entry. Both GIF and TIFF decode this way.
        @inline(__always)
        func emit(_ code: Int, next: Int, previous: Int, to out: UnsafeMutablePointer<UInt8>,
                  at position: inout Int, capacity: Int) -> UInt8 {
            if code == next {
                let firstByte = first[previous]
                write(previous, to: out, at: position, capacity: capacity)
                if position + length[previous] < capacity { out[position + length[previous]] = firstByte }
                position += length[previous] + 1
                return firstByte
            }
            write(code, to: out, at: position, capacity: capacity)
            position += length[code]
            return first[code]
        }
    }

    /// GIF image data (the sub-blocks already joined) as `count` palette indices, decoding
    /// exactly as Pillow's `GifDecode.c`: a first code after a clear must be a literal, a
    /// code past the next free entry is an error, the table stops growing at 4096 entries,
    /// and data after the last pixel is ignored. Running out of data (or an end code)
    /// before `count` pixels is an error, as it is for Pillow.
    static func decodeGIF(_ data: [UInt8], minimumCodeSize bits: Int, count: Int) throws -> [UInt8] {
        guard (0...12).contains(bits) else { throw ImageError(.corrupt, "GIF LZW minimum code size \(bits) is out of range") }
        let clear = 1 << bits, end = clear + 1
        let table = Table(literals: clear)
        var out = [UInt8](repeating: 0, count: count)
        var position = 0
        var next = clear + 2, codeSize = bits + 1, codeMask = (1 << codeSize) - 1
        var afterClear = true
        var previous = 0
        var bitBuffer = 0, bitCount = 0, index = 0
        try out.withUnsafeMutableBufferPointer { buffer in
            let o = buffer.baseAddress!
            while position < count {
                while bitCount < codeSize {
                    guard index < data.count else { throw ImageError(.truncated, "GIF image data ends after \(position) of \(count) pixels") }
                    bitBuffer |= Int(data[index]) << bitCount
                    index += 1
                    bitCount += 8
                }
                let code = bitBuffer & codeMask
                bitBuffer >>= codeSize
                bitCount -= codeSize
                if code == clear {
                    if !afterClear { next = clear + 2; codeSize = bits + 1; codeMask = (1 << codeSize) - 1; afterClear = true }
                    continue
                }
                if code == end { throw ImageError(.truncated, "GIF image data ends after \(position) of \(count) pixels") }
                if afterClear {
                    guard code < clear else { throw ImageError(.corrupt, "GIF LZW code \(code) follows a clear code") }
                    o[position] = UInt8(truncatingIfNeeded: code)
                    position += 1
                    previous = code
                    afterClear = false
                    continue
                }
                guard code <= next else { throw ImageError(.corrupt, "GIF LZW code \(code) is past the table (\(next))") }
                let firstByte = table.emit(code, next: next, previous: previous, to: o, at: &position, capacity: count)
                if next < 4096 {
                    table.add(prefix: previous, byte: firstByte, at: next)
                    if next == codeMask && codeSize < 12 {
                        codeSize += 1
                        codeMask = (1 << codeSize) - 1
                    }
                    next += 1
                }
                previous = code
            }
        }
        return out
    }

    /// A TIFF LZW strip or tile (compression 5) as exactly `count` bytes, as libtiff's
    /// `LZWDecode` gives it: MSB-first codes of 9 to 12 bits with early change, 256 =
    /// clear, 257 = end. Data that ends (or an end code) before `count` bytes is an error,
    /// as libtiff reports it; bytes past `count` are ignored.
    static func decodeTIFF(_ data: ArraySlice<UInt8>, count: Int) throws -> [UInt8] {
        if data.count >= 2, data[data.startIndex] == 0, data[data.startIndex + 1] & 1 != 0 {
            throw ImageError(.unsupported, "old-style (pre-6.0, LSB-first) TIFF LZW is not supported")
        }
        let table = Table(literals: 256)
        var out = [UInt8](repeating: 0, count: count)
        var position = 0
        var next = 258, codeSize = 9
        var previous = -1
        var bitBuffer: UInt64 = 0, bitCount = 0, index = 0
        try data.withUnsafeBufferPointer { input in
        try out.withUnsafeMutableBufferPointer { buffer in
            let o = buffer.baseAddress!
            while position < count {
                if bitCount < codeSize {
                    // Refill up to 7 bytes at once.
                    while bitCount <= 56 && index < input.count {
                        bitBuffer = bitBuffer << 8 | UInt64(input[index])
                        index += 1
                        bitCount += 8
                    }
                    guard bitCount >= codeSize else {
                        throw ImageError(.truncated, "TIFF LZW data ends after \(position) of \(count) bytes")
                    }
                }
                let code = Int((bitBuffer >> UInt64(bitCount - codeSize)) & UInt64((1 << codeSize) - 1))
                bitCount -= codeSize
                bitBuffer &= (1 << UInt64(bitCount)) - 1
                if code == 256 {
                    next = 258; codeSize = 9; previous = -1
                    continue
                }
                if code == 257 { throw ImageError(.truncated, "TIFF LZW data ends after \(position) of \(count) bytes") }
                if previous < 0 {
                    guard code < 256 else { throw ImageError(.corrupt, "TIFF LZW code \(code) follows a clear code") }
                    o[position] = UInt8(code)
                    position += 1
                    previous = code
                    continue
                }
                guard code <= next, code < 4096 else { throw ImageError(.corrupt, "TIFF LZW code \(code) is past the table (\(next))") }
                let firstByte = table.emit(code, next: next, previous: previous, to: o, at: &position, capacity: count)
                if next < 4096 {
                    table.add(prefix: previous, byte: firstByte, at: next)
                    next += 1
                    if next >= (1 << codeSize) - 1 && codeSize < 12 { codeSize += 1 }
                }
                previous = code
            }
        }
        }
        return out
    }
}
