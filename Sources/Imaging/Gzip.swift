/// gzip (RFC 1952) decompression on the package's own DEFLATE decoder (`Inflate`).
///
/// One member; the optional header fields are skipped, CRC-32 and length are verified,
/// and the output is capped, so a hostile file ends in an `ImageError`, never a trap.
public enum Gzip {
    /// The decompressed bytes of the gzip stream `input`, at most `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        guard input.count >= 18 else { throw ImageError(.truncated, "gzip stream is too short") }
        guard input[0] == 0x1F, input[1] == 0x8B else { throw ImageError(.corrupt, "not a gzip stream (bad magic bytes)") }
        guard input[2] == 8 else { throw ImageError(.unsupported, "gzip compression method \(input[2]) is not deflate") }
        let flags = input[3]
        var position = 10
        if flags & 0x04 != 0 { // FEXTRA: 2-byte length then data
            guard position + 2 <= input.count else { throw ImageError(.truncated, "gzip extra field is cut off") }
            position += 2 + (Int(input[position]) | Int(input[position + 1]) << 8)
        }
        for bit in [UInt8(0x08), 0x10] where flags & bit != 0 { // FNAME, FCOMMENT: zero-terminated
            while position < input.count && input[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { position += 2 } // FHCRC
        guard position < input.count else { throw ImageError(.truncated, "gzip header runs past the end") }
        var reader = Inflate.BitReader(input, start: position)
        let output = try Inflate.inflate(&reader, limit: limit)
        reader.alignToByte()
        let end = reader.bytePosition
        guard end + 8 <= input.count else { throw ImageError(.truncated, "gzip stream ends before its trailer") }
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(input[at + $1]) << (8 * UInt32($1)) } }
        guard CRC32.checksum(output[...]) == word(end) else { throw ImageError(.corrupt, "gzip CRC-32 mismatch") }
        guard UInt32(truncatingIfNeeded: output.count) == word(end + 4) else { throw ImageError(.corrupt, "gzip length mismatch") }
        return output
    }
}
