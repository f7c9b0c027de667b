/// The boolean entropy decoder of VP8 (RFC 6386 §7), in libwebp's formulation: a 56-bit
/// window refilled 7 bytes at a time, `range` kept minus one. Every bit libwebp reads is
/// read here in the same order with the same arithmetic, so the decoded symbols agree.
///
/// Reading past the end supplies zeros once and sets `atEnd`; callers turn that into an
/// `ImageError` (libwebp's "premature end of partition").
struct VP8BoolDecoder {
    private let base: UnsafePointer<UInt8>
    private var position: Int
    private let end: Int
    private var value: UInt64 = 0
    /// Number of valid bits in `value` below the current 8-bit window, minus 8.
    private var bits: Int = -8
    /// The current range minus one, in [127, 254] between calls.
    private var range: UInt32 = 254
    /// Set when the decoder had to invent bytes past its partition.
    private(set) var atEnd = false

    /// A decoder over `count` bytes at `start`; the memory must outlive the decoder.
    init(_ start: UnsafePointer<UInt8>, count: Int) {
        base = start
        position = 0
        end = count
        loadNewBytes()
    }

    @inline(__always)
    private mutating func loadNewBytes() {
        if end - position >= 8 {
            var word: UInt64 = 0
            for k in 0..<7 { word = word << 8 | UInt64(base[position + k]) }
            position += 7
            value = word | value << 56
            bits += 56
        } else if position < end {
            bits += 8
            value = UInt64(base[position]) | value << 8
            position += 1
        } else if !atEnd {
            value <<= 8
            bits += 8
            atEnd = true
        } else {
            bits = 0
        }
    }

    /// One bit whose probability of being 0 is `probability` / 256.
    @inline(__always)
    mutating func bit(_ probability: Int) -> Int {
        var r = range
        if bits < 0 { loadNewBytes() }
        let split = (r &* UInt32(probability)) >> 8
        let window = UInt32(truncatingIfNeeded: value >> UInt64(bits))
        let result: Int
        if window > split {
            r -= split
            value -= UInt64(split + 1) << UInt64(bits)
            result = 1
        } else {
            r = split + 1
            result = 0
        }
        let shift = 7 ^ (31 - r.leadingZeroBitCount)
        r <<= UInt32(shift)
        bits -= shift
        range = r - 1
        return result
    }

    /// `v` or `-v` by one even-probability bit (libwebp's `VP8GetSigned`).
    @inline(__always)
    mutating func signed(_ v: Int) -> Int {
        if bits < 0 { loadNewBytes() }
        let split = range >> 1
        let window = UInt32(truncatingIfNeeded: value >> UInt64(bits))
        let mask = Int32(bitPattern: split &- window) >> 31   // -1 when the bit is 1
        bits -= 1
        range = range &+ UInt32(bitPattern: mask)
        range |= 1
        value -= UInt64((split + 1) & UInt32(bitPattern: mask)) << UInt64(bits + 1)
        return (v ^ Int(mask)) - Int(mask)
    }

    /// An unsigned `count`-bit literal, most significant bit first.
    mutating func literal(_ count: Int) -> Int {
        var v = 0
        for k in stride(from: count - 1, through: 0, by: -1) { v |= bit(0x80) << k }
        return v
    }

    /// A `count`-bit magnitude followed by a sign bit.
    mutating func signedLiteral(_ count: Int) -> Int {
        let v = literal(count)
        return bit(0x80) == 1 ? -v : v
    }

    /// One flag bit at even probability.
    mutating func flag() -> Bool { bit(0x80) == 1 }
}
