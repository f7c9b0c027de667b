import Testing
@testable import Tensor

/// The int8 GEMM (issue 16): exact int32 sums against a naive reference, the same bits
/// from the AVX512-VNNI kernel, the AVX-VNNI kernel (where the CPU has it: natively on
/// Alder Lake and later; `Scripts/check_avxvnni.sh` checks it elsewhere) and the portable loops,
/// the no-overflow bound at its extreme, the int8 kernel choice, and the quantised linear
/// layer against the float32 one.
struct Int8GEMMTests {
    /// Naive `Σ_k a[m, k] · w[n, k]` in Int64 on unpadded operands.
    static func naive(_ a: [UInt8], _ w: [Int8], m: Int, n: Int, k: Int) -> [Int64] {
        var c = [Int64](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for kk in 0..<k { c[i * n + j] += Int64(a[i * k + kk]) * Int64(w[j * k + kk]) } } }
        return c
    }

    /// Runs `Int8GEMM.multiply` on unpadded operands and returns `[m, n]` int32 sums.
    static func product(_ a: [UInt8], _ w: [Int8], m: Int, n: Int, k: Int, kernel: Int8GEMM.MicroKernel) -> [Int32] {
        let depth = Int8GEMM.paddedDepth(k), rows = Int8GEMM.paddedRows(m), ldc = Int8GEMM.paddedColumns(n)
        var padded = [UInt8](repeating: 0, count: rows * depth)  // [M padded, K padded]
        for i in 0..<m { for kk in 0..<k { padded[i * depth + kk] = a[i * k + kk] } }
        let packed = w.withUnsafeBufferPointer { Int8GEMM.packWeights($0.baseAddress!, n: n, k: k) }
        var c = [Int32](repeating: -1, count: rows * ldc)  // [M padded, N padded]
        padded.withUnsafeBufferPointer { pa in
            packed.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Int8GEMM.multiply(m: m, n: n, depth: depth, a: pa.baseAddress!, packed: pb.baseAddress!,
                                      c: pc.baseAddress!, kernel: kernel)
                }
            }
        }
        var out = [Int32](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { out[i * n + j] = c[i * ldc + j] } }
        return out
    }

    /// Whether this machine runs the VNNI kernel (the comparison below needs it).
    static let vnniAvailable = Int8GEMM.usesVNNI

    /// (1025, 8, 1024) and (260, 8, 4096) have several row blocks per panel (5 of 51–52
    /// and 5 of 13 tiles), split between the threads.
    @Test(arguments: [(1, 1, 1), (7, 70, 37), (9, 128, 64), (33, 192, 1024), (70, 64, 1100),
                       (1025, 8, 1024), (260, 8, 4096)])
    func portableMatchesNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 1000 + n + k))
        let a = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let expected = Self.naive(a, w, m: m, n: n, k: k).map { Int32($0) }
        #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .portable) == expected)
    }

    @Test(.enabled(if: vnniAvailable, "needs a CPU with AVX512-VNNI and the VNNI target"),
          arguments: [(1, 1, 1), (7, 70, 37), (9, 128, 64), (33, 192, 1024), (70, 64, 1100),
                       (1025, 8, 1024), (260, 8, 4096)])
    func vnniMatchesPortableBitForBit(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 7 + n * 3 + k))
        let a = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let expected = Self.naive(a, w, m: m, n: n, k: k).map { Int32($0) }
        #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .avx512VNNI) == expected)
    }

    /// Whether this machine runs the AVX-VNNI kernel (compiled in, cpuid reports AVX-VNNI).
    static let avxVNNIAvailable = Int8GEMM.avxVNNICompiled && CPUFeatures.host.hasAVXVNNIKernels

    @Test(.enabled(if: avxVNNIAvailable, "needs a CPU with AVX-VNNI (none here: Scripts/check_avxvnni.sh checks the kernel by proxy)"),
          arguments: [(1, 1, 1), (7, 70, 37), (9, 128, 64), (33, 192, 1024), (70, 64, 1100), (5, 200, 300)])
    func avxVNNIMatchesNaiveBitForBit(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 11 + n * 5 + k))
        let a = (0..<(m * k)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
        let expected = Self.naive(a, w, m: m, n: n, k: k).map { Int32($0) }
        #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .avxVNNI) == expected)
    }

    /// The int8 kernel follows the float32 table and the CPU: AVX512-VNNI only under the
    /// AVX-512 table, AVX-VNNI under AVX2 (or AVX-512 without AVX512-VNNI), portable under
    /// `TENSOR_KERNEL=portable` or without either feature.
    @Test func int8KernelChoiceFollowsTableAndCPU() {
        var both = CPUFeatures()
        both.avx2 = true; both.fma = true; both.avxvnni = true
        var avx512 = both
        avx512.avx512f = true; avx512.avx512bw = true; avx512.avx512dq = true; avx512.avx512vl = true
        avx512.avx512vnni = true
        var avx2Only = both
        avx2Only.avxvnni = false
        let compiled = Int8GEMM.avxVNNICompiled, compiled512 = Int8GEMM.vnniCompiled
        #expect(Int8GEMM.microKernel(for: .portable, features: avx512) == .portable)
        #expect(Int8GEMM.microKernel(for: .avx2, features: both) == (compiled ? .avxVNNI : .portable))
        #expect(Int8GEMM.microKernel(for: .avx2, features: avx512) == (compiled ? .avxVNNI : .portable))
        #expect(Int8GEMM.microKernel(for: .avx512, features: avx512) == (compiled512 ? .avx512VNNI : compiled ? .avxVNNI : .portable))
        #expect(Int8GEMM.microKernel(for: .avx2, features: avx2Only) == .portable)
        #expect(Int8GEMM.microKernel(for: .avx2, features: CPUFeatures()) == .portable)
    }

    /// The bound of `Int8GEMM`: at K = maxDepth, 255 · ±127 per product, the int32 sums
    /// are exact (−2,122,383,360 and +2,122,383,360 are within ±2³¹).
    @Test func extremeSumsAtMaxDepthDoNotOverflow() {
        let m = 4, n = 64, k = Int8GEMM.maxDepth
        let a = [UInt8](repeating: 255, count: m * k)
        let w = (0..<(n * k)).map { i in Int8(i / k % 2 == 0 ? -127 : 127) }
        let expected = Self.naive(a, w, m: m, n: n, k: k)
        #expect(expected[0] == -2_122_383_360 && expected[1] == 2_122_383_360)
        #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .portable).map(Int64.init) == expected)
        if Self.vnniAvailable {
            #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .avx512VNNI).map(Int64.init) == expected)
        }
        if Self.avxVNNIAvailable {
            #expect(Self.product(a, w, m: m, n: n, k: k, kernel: .avxVNNI).map(Int64.init) == expected)
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

    /// The scaled residual added in the epilogue gives the bits of the separate tensor
    /// operations `residual + y * scale` (130 outputs: a partial panel, so the scalar tail
    /// runs too; the epilogue is the same Swift code under every kernel table).
    @Test func scaledResidualInTheEpilogueEqualsTheSeparateOperations() {
        let x = Tensor<Float>.randomNormal([2, 21, 96], seed: 6)  // [B, N, K]
        let layer = Int8LinearWeights(weight: Tensor<Float>.randomNormal([130, 96], std: 0.1, seed: 7))
        let bias = Tensor<Float>.randomNormal([130], std: 0.02, seed: 8)  // [N_out]
        let scale = Tensor<Float>.randomNormal([130], mean: 0.1, std: 0.05, seed: 9)  // [N_out]
        let residual = Tensor<Float>.randomNormal([2, 21, 130], seed: 10)  // [B, N, N_out]
        let fused = layer.apply(x, bias: bias, scaledResidual: ScaledResidual(scale: scale, residual: residual))
        let separate = residual + layer.apply(x, bias: bias) * scale  // [B, N, N_out]
        #expect(fused.shape == [2, 21, 130])
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
    }

    /// `.firstOfEachSequence` computes rows 0 and S of a `[2, S, K]` input in float32
    /// against the dequantised weights (within the float32 rounding bound of a K-term sum
    /// of a Double reference, bias and GELU included), leaves every other row's bits as
    /// the integer GEMM gives them, and keeps the scaled-residual epilogue's bits
    /// (K = 98: padded depth; 130 outputs: a partial panel).
    @Test func floatActivationRowsMultiplyTheDequantisedWeightsInFloat() {
        let (s, k, n) = (21, 98, 130)
        let x = Tensor<Float>.randomNormal([2, s, k], seed: 11)  // [B, S, K]
        let plain = Int8LinearWeights(weight: Tensor<Float>.randomNormal([n, k], std: 0.1, seed: 12))
        let kept = plain.keepingFloat(.firstOfEachSequence)
        let bias = Tensor<Float>.randomNormal([n], std: 0.02, seed: 13)  // [N_out]
        let w = plain.dequantised().scalars, xs = x.scalars, b = bias.scalars  // [N_out, K], [B·S, K], [N_out]
        for activation in [LinearActivation.none, .gelu] {
            let got = kept.apply(x, bias: bias, activation: activation).scalars  // [B, S, N_out]
            let integer = plain.apply(x, bias: bias, activation: activation).scalars  // [B, S, N_out]
            for row in 0..<(2 * s) where row % s != 0 {
                #expect(got[(row * n)..<((row + 1) * n)].map(\.bitPattern) == integer[(row * n)..<((row + 1) * n)].map(\.bitPattern))
            }
            for row in [0, s] {
                #expect(got[(row * n)..<((row + 1) * n)] != integer[(row * n)..<((row + 1) * n)], "row \(row) was not recomputed")
                for c in 0..<n {
                    var exact = Double(b[c]), magnitude = Double(abs(b[c]))
                    for j in 0..<k {
                        exact += Double(xs[row * k + j]) * Double(w[c * k + j])
                        magnitude += abs(Double(xs[row * k + j]) * Double(w[c * k + j]))
                    }
                    // K + 2 float32 roundings of partial sums bounded by `magnitude`;
                    // GELU's slope is below 1.13 and it adds a few ulps of its own.
                    let bound = Double(k + 2) * Double(Float.ulpOfOne) * magnitude * 1.13 + 1e-6
                    let want = activation == .gelu ? Double(GELUOp.apply(Float(exact))) : exact
                    #expect(abs(Double(got[row * n + c]) - want) <= bound, "row \(row), column \(c)")
                }
            }
        }
        let scale = Tensor<Float>.randomNormal([n], mean: 0.1, std: 0.05, seed: 14)  // [N_out]
        let residual = Tensor<Float>.randomNormal([2, s, n], seed: 15)  // [B, S, N_out]
        let fused = kept.apply(x, bias: bias, scaledResidual: ScaledResidual(scale: scale, residual: residual))
        let separate = residual + kept.apply(x, bias: bias) * scale  // [B, S, N_out]
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
    }
}
