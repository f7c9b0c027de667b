/// A canonical prefix code of the lossless format, as a two-level lookup table (8 root
/// bits, then a second-level table per long prefix), built with libwebp's acceptance
/// rule: code lengths ≤ 15, at least one symbol, and either exactly one symbol (which then
/// takes zero bits) or a complete code (Kraft sum exactly 1).
struct VP8LPrefixCode {
    static let rootBits = 8
    /// Each entry packs `bits << 16 | value`; a root entry with bits > 8 links to the
    /// second-level table at `value` with `bits - 8` index bits.
    private(set) var table: [UInt32]
    /// The symbol when the code has a single symbol (read with zero bits).
    let singleSymbol: Int?

    /// Builds the code for `lengths` (one per symbol, 0 = unused); nil if libwebp would
    /// reject it.
    init?(lengths: [Int]) {
        var counts = [Int](repeating: 0, count: 16)
        var used = 0, last = 0
        for (symbol, length) in lengths.enumerated() {
            guard length >= 0, length <= 15 else { return nil }
            counts[length] += 1
            if length > 0 { used += 1; last = symbol }
        }
        guard used > 0 else { return nil }
        if used == 1 {
            singleSymbol = last
            table = []
            return
        }
        singleSymbol = nil
        var kraft = 0
        for length in 1...15 { kraft += counts[length] << (15 - length) }
        guard kraft == 1 << 15 else { return nil }
        // Canonical codes (as deflate assigns them), bit-reversed for LSB-first reading.
        var next = [Int](repeating: 0, count: 17)
        var code = 0
        for length in 1...15 {
            code = (code + (length > 1 ? counts[length - 1] : 0)) << 1
            next[length] = code
        }
        let root = Self.rootBits
        var reversedCodes = [Int](repeating: 0, count: lengths.count)
        var subBits = [Int](repeating: 0, count: 1 << root)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let c = next[length]; next[length] += 1
            var r = 0
            for k in 0..<length where c >> k & 1 == 1 { r |= 1 << (length - 1 - k) }
            reversedCodes[symbol] = r
            if length > root { subBits[r & ((1 << root) - 1)] = max(subBits[r & ((1 << root) - 1)], length - root) }
        }
        var t = [UInt32](repeating: 0, count: 1 << root)
        var subOffset = [Int](repeating: 0, count: 1 << root)
        for prefix in 0..<(1 << root) where subBits[prefix] > 0 {
            subOffset[prefix] = t.count
            t[prefix] = UInt32(root + subBits[prefix]) << 16 | UInt32(t.count)
            t += [UInt32](repeating: 0, count: 1 << subBits[prefix])
        }
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let r = reversedCodes[symbol]
            if length <= root {
                for k in stride(from: r, to: 1 << root, by: 1 << length) { t[k] = UInt32(length) << 16 | UInt32(symbol) }
            } else {
                let prefix = r & ((1 << root) - 1)
                let n = subBits[prefix]
                for k in stride(from: r >> root, to: 1 << n, by: 1 << (length - root)) {
                    t[subOffset[prefix] + k] = UInt32(length - root) << 16 | UInt32(symbol)
                }
            }
        }
        table = t
    }

    /// The code of a "simple" code-length header: one symbol (zero bits) or two symbols
    /// of one bit each, the smaller symbol coded 0 — built without touching the alphabet.
    init(simple first: Int, _ second: Int?) {
        guard let second, second != first else {
            singleSymbol = first
            table = []
            return
        }
        singleSymbol = nil
        let (zero, one) = (min(first, second), max(first, second))
        table = (0..<(1 << Self.rootBits)).map { UInt32(1) << 16 | UInt32($0 & 1 == 0 ? zero : one) }
    }

    /// Reads one symbol.
    @inline(__always) func read(_ br: inout VP8LBitReader) -> Int {
        if let s = singleSymbol { return s }
        let bits = br.peek32()
        let entry = table[Int(bits & 0xFF)]
        let n = Int(entry >> 16)
        if n <= Self.rootBits {
            br.skip(n)
            return Int(entry & 0xFFFF)
        }
        let sub = table[Int(entry & 0xFFFF) + Int((bits >> 8) & ((1 << UInt32(n - 8)) - 1))]
        br.skip(8 + Int(sub >> 16))
        return Int(sub & 0xFFFF)
    }
}
