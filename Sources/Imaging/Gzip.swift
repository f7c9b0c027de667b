/// gzip (RFC 1952) decompression on the package's own DEFLATE decoder (`Inflate`).
///
/// Behaves like Python's `gzip.decompress` (the reference of `Tests/ImagingTests/GzipTests`):
/// concatenated members are decompressed one after another and joined (as `gzip -d`
/// does); zero bytes after the last member are padding and skipped; anything else after
/// a member must be another member. Each member's CRC-32 and length (ISIZE) are checked.
/// Stricter than Python, as RFC 1952 asks of a decoder: reserved flag bits and a wrong
/// header CRC-16 (FHCRC) are errors.
///
/// Memory: the output grows only with data actually decoded and never past `limit`
/// (checked before every append); ISIZE is compared after decoding and never used to
/// allocate, so an absurd ISIZE costs nothing. A hostile file ends in an `ImageError`,
/// never a trap.
public enum Gzip {
    /// The decompressed bytes of the gzip stream `input` (one or more members), at most
    /// `limit` bytes in total.
    /// - Throws: `ImageError` — `.truncated` when the stream ends early, `.corrupt` for a
    ///   bad magic number, checksum, length, header CRC, reserved flag, trailing bytes or
    ///   DEFLATE data, or output beyond `limit`; `.unsupported` for a method other than deflate.
    public static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        guard input.count >= 2, input[0] == 0x1F, input[1] == 0x8B else {
            throw ImageError(.corrupt, "not a gzip stream (bad magic bytes)")
        }
        var output: [UInt8] = []
        var position = 0
        while position < input.count {
            guard input[position] == 0x1F, position + 1 < input.count, input[position + 1] == 0x8B else {
                throw ImageError(.corrupt, "\(input.count - position) bytes after the gzip data are not another gzip member")
            }
            position = try decompressMember(input, at: position, into: &output, limit: limit)
            while position < input.count && input[position] == 0 { position += 1 }   // zero padding
        }
        return output
    }

    /// Decodes the member starting at `start`, appending to `output`; returns the
    /// position after its trailer.
    static func decompressMember(_ input: [UInt8], at start: Int, into output: inout [UInt8], limit: Int) throws -> Int {
        guard start + 10 <= input.count else { throw ImageError(.truncated, "gzip header is cut off") }
        guard input[start + 2] == 8 else {
            throw ImageError(.unsupported, "gzip compression method \(input[start + 2]) is not deflate")
        }
        let flags = input[start + 3]
        guard flags & 0xE0 == 0 else { throw ImageError(.corrupt, "gzip header has reserved flag bits set") }
        var position = start + 10
        if flags & 0x04 != 0 { // FEXTRA: 2-byte length then data
            guard position + 2 <= input.count else { throw ImageError(.truncated, "gzip extra field is cut off") }
            position += 2 + (Int(input[position]) | Int(input[position + 1]) << 8)
        }
        for bit in [UInt8(0x08), 0x10] where flags & bit != 0 { // FNAME, FCOMMENT: zero-terminated
            while position < input.count && input[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { // FHCRC: low 16 bits of the CRC-32 of the header so far
            guard position + 2 <= input.count else { throw ImageError(.truncated, "gzip header runs past the end") }
            let stored = UInt16(input[position]) | UInt16(input[position + 1]) << 8
            guard UInt16(truncatingIfNeeded: CRC32.checksum(input[start..<position])) == stored else {
                throw ImageError(.corrupt, "gzip header CRC mismatch")
            }
            position += 2
        }
        guard position < input.count else { throw ImageError(.truncated, "gzip header runs past the end") }
        var reader = Inflate.BitReader(input, start: position)
        let member = try Inflate.inflate(&reader, limit: limit - output.count)
        reader.alignToByte()
        let end = reader.bytePosition
        guard end + 8 <= input.count else { throw ImageError(.truncated, "gzip stream ends before its trailer") }
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(input[at + $1]) << (8 * UInt32($1)) } }
        guard CRC32.checksum(member[...]) == word(end) else { throw ImageError(.corrupt, "gzip CRC-32 mismatch") }
        guard UInt32(truncatingIfNeeded: member.count) == word(end + 4) else {
            throw ImageError(.corrupt, "gzip length mismatch: the trailer says \(word(end + 4)) bytes, the data has \(member.count)")
        }
        output += member
        return end + 8
    }
}
