import Testing
@testable import Tensor

/// The int8 GEMM (issue 16): exact int32 sums against a naive reference, the same bits
/// from the AVX512-VNNI kernel and the portable loops, the no-overflow bound at its
/// extreme, and the quantised linear layer against the float32 one.
struct Int8GEMMTests {
    /// Naive `Σ_k a[m, k] · w[n, k]` in Int64 on unpadded operands.
    static func naive(_ a: [UInt8], _ w: [Int8], m: Int, n: Int, k: Int) -> [Int64] {
        var c = [Int64](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for kk in 0..<k { c[i * n + j] += Int64(a[i * k + kk]) * Int64(w[j * k + kk]) } } }
        return c
    }

    /// Runs `Int8GEMM.multiply` on unpadded operands and returns `[m, n]` int32 sums.
    static func product(_ a: [UInt8], _ w: [Int8], m: Int, n: Int, k: Int, vnni: Bool) -> [Int32] {
        let depth = Int8GEMM.paddedDepth(k), rows = Int8GEMM.paddedRows(m), ldc = Int8GEMM.paddedColumns(n)
        var padded = [UInt8](repeating: 0, count: rows * depth)  // [M padded, K padded]
        for i in 0..<m { for kk in 0..<k { padded[i * depth + kk] = a[i * k + kk] } }
        let packed = w.withUnsafeBufferPointer { Int8GEMM.packWeights($0.baseAddress!, n: n, k: k) }
        var c = [Int32](repeating: -1, count: rows * ldc)  // [M padded, N padded]
        padded.withUnsafeBufferPointer { pa in
            packed.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Int8GEMM.multiply(m: m, n: n, depth: depth, a: pa.baseAddress!, packed: pb.baseAddress!,
                                      c: pc.baseAddress!, vnni: vnni)
                }
            }
        }
        var out = [Int32](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { out[i * n + j] = c[i * ldc + j] } }
        return out
    }

    /// Whether this machine runs the VNNI kernel (the comparison below needs it).
    static let vnniAvailable = Int8GEMM.usesVNNI

    @Test(arguments: [(1, 1, 1), (7, 70, 37), (9, 128, 64), (33, 192, 1024), (70, 64, 1100)])
    func portableMatchesNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 1000 + n + k))
        let a = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let expected = Self.naive(a, w, m: m, n: n, k: k).map { Int32($0) }
        #expect(Self.product(a, w, m: m, n: n, k: k, vnni: false) == expected)
    }

    @Test(.enabled(if: vnniAvailable, "needs a CPU with AVX512-VNNI and the VNNI target"),
          arguments: [(1, 1, 1), (7, 70, 37), (9, 128, 64), (33, 192, 1024), (70, 64, 1100)])
    func vnniMatchesPortableBitForBit(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 7 + n * 3 + k))
        let a = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let expected = Self.naive(a, w, m: m, n: n, k: k).map { Int32($0) }
        #expect(Self.product(a, w, m: m, n: n, k: k, vnni: true) == expected)
    }

    /// The bound of `Int8GEMM`: at K = maxDepth, 255 · ±127 per product, the int32 sums
    /// are exact (−2,122,383,360 and +2,122,383,360 are within ±2³¹).
    @Test func extremeSumsAtMaxDepthDoNotOverflow() {
        let m = 4, n = 64, k = Int8GEMM.maxDepth
        let a = [UInt8](repeating: 255, count: m * k)
        let w = (0..<(n * k)).map { i in Int8(i / k % 2 == 0 ? -127 : 127) }
        let expected = Self.naive(a, w, m: m, n: n, k: k)
        #expect(expected[0] == -2_122_383_360 && expected[1] == 2_122_383_360)
        #expect(Self.product(a, w, m: m, n: n, k: k, vnni: false).map(Int64.init) == expected)
        if Self.vnniAvailable {
            #expect(Self.product(a, w, m: m, n: n, k: k, vnni: true).map(Int64.init) == expected)
        }
    }

    /// The quantised layer stays close to float32 (per-channel weights, per-token u8
    /// activations, Gaussian data): every row's cosine ≥ 0.999 and rel-L2 ≤ 2e-2.
    @Test func int8LinearTracksFloatLinear() {
        let x = Tensor<Float>.randomNormal([2, 21, 96], seed: 3)  // [B, N, K]
        let weight = Tensor<Float>.randomNormal([130, 96], std: 0.1, seed: 4)  // [N_out, K]
        let bias = Tensor<Float>.randomNormal([130], std: 0.02, seed: 5)  // [N_out]
        let layer = Int8LinearWeights(weight: weight)
        for activation in [LinearActivation.none, .gelu] {
            let got = layer.apply(x, bias: bias, activation: activation).scalars  // [B, N, N_out]
            let want = x.linear(weight: weight, bias: bias, activation: activation).scalars  // [B, N, N_out]
            var diff: Float = 0, norm: Float = 0
            for i in 0..<want.count { diff += (got[i] - want[i]) * (got[i] - want[i]); norm += want[i] * want[i] }
            #expect((diff / norm).squareRoot() <= 2e-2)
            for row in 0..<42 {
                var dot: Float = 0, gg: Float = 0, ww: Float = 0
                for j in 0..<130 { let g = got[row * 130 + j], w = want[row * 130 + j]; dot += g * w; gg += g * g; ww += w * w }
                #expect(dot / (gg * ww).squareRoot() >= 0.999)
            }
        }
    }
}
