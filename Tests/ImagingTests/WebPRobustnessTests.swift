import Foundation
import Imaging
import Tensor
import Testing

/// Hostile WebP input: seeded corruptions and truncations of the fixtures, oversized
/// headers, and a prefix-code bomb — each either decodes or throws an `ImageError`,
/// never traps or runs away.
@Suite struct WebPRobustnessTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: ImageFixtures.root.appendingPathComponent("webp/\(name)"))
    }

    static func outcome(_ bytes: Data) -> Result<DecodedImage, Error> {
        Result { try ImageDecoder.decode(bytes, limits: DecodeLimits(maximumPixels: 1 << 16)) }
    }

    @Test(arguments: ["lossy_q90.webp", "lossy_33x31.webp", "lossy_alpha.webp", "lossless_m4.webp", "lossless_palette4.webp",
                      "anim_sparse_first.webp", "libwebp_simple_filter.webp"])
    func mutatedFilesThrowImageErrorsOrDecode(_ file: String) throws {
        let data = try Self.fixture(file)
        var generator = SeededGenerator(seed: UInt64(file.utf8.count) &* 7919)
        var rejected = 0
        for round in 0..<250 {
            var bytes = data
            // Keep the RIFF header most of the time so the mutations reach the bitstreams.
            let start = round % 4 == 0 ? 0 : Swift.min(20, bytes.count - 1)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = start + Int(generator.next() % UInt64(bytes.count - start))
                bytes[position] = generator.next() % 2 == 0 ? bytes[position] ^ UInt8(1 << (generator.next() % 8))
                    : UInt8(truncatingIfNeeded: generator.next())
            }
            if case .failure(let error) = Self.outcome(bytes) {
                #expect(error is ImageError, "\(file) round \(round): \(error)")
                rejected += 1
            }
        }
        #expect(rejected > 0, "\(file): no mutation was rejected")
    }

    /// Every cut of a file is refused (the RIFF size no longer fits), and a cut whose RIFF
    /// and chunk sizes are patched to fit is refused or decoded, never a trap.
    @Test(arguments: ["lossy_q100.webp", "lossless_odd.webp", "lossy_alpha_holes.webp", "anim_lossy.webp"])
    func truncatedFilesAreRefused(_ file: String) throws {
        let data = try Self.fixture(file)
        for length in 0..<data.count {
            let cut = data.prefix(length)
            #expect(throws: ImageError.self, "\(file) cut at \(length)") { try ImageDecoder.decode(cut) }
            guard length >= 20 else { continue }
            var patched = cut
            Self.putLE32(&patched, at: 4, UInt32(length - 8))
            // The last chunk that starts before the cut ends at the cut.
            var p = 12
            while p + 8 <= length {
                let size = Int(Self.le32(patched, at: p + 4))
                if p + 8 + size >= length { Self.putLE32(&patched, at: p + 4, UInt32(length - p - 8)); break }
                p += 8 + size + (size & 1)
            }
            if case .failure(let error) = Self.outcome(patched) { #expect(error is ImageError) }
        }
    }

    @Test func oversizedHeadersAreRefusedBeforeAllocating() throws {
        // A lossless header claiming 16384 x 16384 (268 MP) pixels.
        var lossless = try Self.fixture("lossless_m4.webp")
        lossless.replaceSubrange(21..<25, with: [0xFF, 0xFF, 0xFF, 0x0F | (lossless[24] & 0x10)])
        #expect { try ImageDecoder.decode(lossless) } throws: { ($0 as? ImageError)?.kind == .tooLarge }
        // An animation canvas of 2^24 x 2^24.
        var animation = try Self.fixture("anim_lossy.webp")
        #expect(animation[12..<16] == Data("VP8X".utf8))
        animation.replaceSubrange(24..<30, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect { try ImageDecoder.decode(animation) } throws: { ($0 as? ImageError)?.kind == .tooLarge }
        // And the limit applies to ordinary sizes too.
        #expect { try ImageDecoder.decode(try Self.fixture("lossy_q90.webp"), limits: DecodeLimits(maximumPixels: 1000)) } throws: {
            ($0 as? ImageError)?.kind == .tooLarge
        }
    }

    /// A lossless stream whose group image names group 65535, so 65,536 groups of five
    /// prefix codes are read (the unused ones only checked): work stays proportional to
    /// the input, and the image decodes to what its codes say.
    @Test func prefixCodeBombIsBounded() throws {
        var w = BitWriter()
        let side = 64
        w.put(0x2F, 8); w.put(side - 1, 14); w.put(side - 1, 14); w.put(0, 1); w.put(0, 3)
        w.put(0, 1)            // no transform
        w.put(0, 1)            // no colour cache
        w.put(1, 1); w.put(0, 3)   // meta codes, 4x4 tiles
        // Group image: every pixel's red and green are 255 -> group 0xFFFF.
        w.put(0, 1)            // no colour cache
        for symbol in [255, 255, 0, 0, 0] { w.simpleCode(symbol) }
        // 65,536 groups of five single-symbol codes; the last (used) one yields grey 128.
        for group in 0...0xFFFF {
            for (k, symbol) in [128, 128, 128, 255, 0].enumerated() {
                w.simpleCode(group == 0xFFFF ? symbol : (k == 4 ? 0 : 1))
            }
        }
        var file = Data("RIFF".utf8) + Data(count: 4) + Data("WEBPVP8L".utf8) + Data(count: 4) + Data(w.bytes)
        if file.count & 1 == 1 { file.append(0) }
        Self.putLE32(&file, at: 4, UInt32(file.count - 8))
        Self.putLE32(&file, at: 16, UInt32(w.bytes.count))
        let decoded = try ImageDecoder.decode(file)
        #expect(decoded.image.width == side && decoded.image.pixels.allSatisfy { $0 == 128 })
    }

    static func le32(_ d: Data, at i: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(d[d.startIndex + i + $1]) << (8 * UInt32($1)) }
    }
    static func putLE32(_ d: inout Data, at i: Int, _ v: UInt32) {
        for k in 0..<4 { d[d.startIndex + i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    /// Least-significant-bit-first writer (the lossless format's bit order).
    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 0
        mutating func put(_ value: Int, _ count: Int) {
            for k in 0..<count {
                if used == 0 { bytes.append(0) }
                bytes[bytes.count - 1] |= UInt8((value >> k) & 1) << UInt8(used)
                used = (used + 1) & 7
            }
        }
        /// A "simple" code with the single symbol `symbol` (1-bit form when it is 0 or 1).
        mutating func simpleCode(_ symbol: Int) {
            put(1, 1); put(0, 1)
            if symbol < 2 { put(0, 1); put(symbol, 1) } else { put(1, 1); put(symbol, 8) }
        }
    }
}
