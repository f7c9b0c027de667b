/// The least-significant-bit-first reader of the lossless format (WebP lossless
/// bitstream §3): a 64-bit window refilled a byte at a time. Reading past the end yields
/// zeros and is reported by `isPastEnd` (libwebp's "end of stream" status), which the
/// decoder turns into an `ImageError`.
struct VP8LBitReader {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var position = 0
    private var window: UInt64 = 0
    private var available = 0
    /// Bytes of zeros supplied after the end.
    private var padding = 0

    /// A reader over `count` bytes at `start`; the memory must outlive the reader.
    init(_ start: UnsafePointer<UInt8>, count: Int) {
        base = start
        self.count = count
        refill()
    }

    @inline(__always) private mutating func refill() {
        while available <= 56 {
            if position < count {
                window |= UInt64(base[position]) << UInt64(available)
                position += 1
            } else {
                padding += 1
            }
            available += 8
        }
    }

    /// True once more bits were consumed than the data holds (libwebp allows reading
    /// into the zero padding of a stream shorter than 8 bytes).
    var isPastEnd: Bool { (position + padding) * 8 - available > max(count, 8) * 8 }

    /// The next `n` (≤ 32) bits without consuming them.
    @inline(__always) mutating func peek(_ n: Int) -> UInt32 {
        if available < n { refill() }
        return UInt32(truncatingIfNeeded: window & ((1 << UInt64(n)) - 1))
    }

    /// The next 32 bits without consuming them (at least 32 bits are always buffered
    /// after `fill()`).
    @inline(__always) mutating func peek32() -> UInt32 {
        if available < 32 { refill() }
        return UInt32(truncatingIfNeeded: window)
    }

    @inline(__always) mutating func skip(_ n: Int) {
        window >>= UInt64(n)
        available -= n
    }

    /// Reads an `n`-bit (≤ 32) unsigned value.
    @inline(__always) mutating func read(_ n: Int) -> Int {
        let v = peek(n)
        skip(n)
        return Int(v)
    }
}
