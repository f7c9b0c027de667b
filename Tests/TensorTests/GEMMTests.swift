import Testing
import Tensor

/// The blocked GEMM against the textbook reference, on shapes chosen to hit every edge:
/// sizes 1, primes, sizes that cross the KC / MC / NC block boundaries, and partial
/// micro-tiles in both directions.
@Suite struct GEMMTests {
    struct Case: Sendable, CustomStringConvertible {
        let m: Int, n: Int, k: Int
        let transA: Bool, transB: Bool
        var description: String { "m \(m) n \(n) k \(k) transA \(transA) transB \(transB)" }
    }

    static let sizes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 17, 1), (7, 1, 13), (5, 16, 8), (8, 48, 3), (37, 53, 29), (97, 31, 1025),
        (161, 49, 385), (337, 50, 17), (3, 4100, 5), (9, 97, 513), (1025, 64, 7),
    ]
    static let cases: [Case] = sizes.flatMap { m, n, k in
        [(false, false), (true, false), (false, true), (true, true)].map { Case(m: m, n: n, k: k, transA: $0, transB: $1) }
    }

    /// Operands with extra padding columns so leading dimensions differ from the sizes.
    struct Operands {
        let a: [Float], aLayout: MatrixLayout
        let b: [Float], bLayout: MatrixLayout
        init(_ c: Case, seed: UInt64) {
            let lda = (c.transA ? c.m : c.k) + 3, ldb = (c.transB ? c.k : c.n) + 5
            a = Tensor<Float>.randomNormal([(c.transA ? c.k : c.m) * lda], seed: seed).scalars
            b = Tensor<Float>.randomNormal([(c.transB ? c.n : c.k) * ldb], seed: seed + 1).scalars
            aLayout = c.transA ? MatrixLayout(rowStride: 1, columnStride: lda) : MatrixLayout(rowStride: lda, columnStride: 1)
            bLayout = c.transB ? MatrixLayout(rowStride: 1, columnStride: ldb) : MatrixLayout(rowStride: ldb, columnStride: 1)
        }
    }

    /// |Σ aᵢbᵢ computed in fp32 − exact| ≤ k·ε·Σ|aᵢ||bᵢ| for any summation order, for
    /// both our result and the reference; so they agree within twice that (plus alpha,
    /// beta scaling roundings, covered by the extra 4 ulp).
    static func tolerance(_ c: Case, _ ops: Operands, alpha: Float, betaTerm: [Float], ldc: Int) -> [Float] {
        var bound = [Float](repeating: 0, count: c.m * ldc)
        let absA = ops.a.map(Swift.abs), absB = ops.b.map(Swift.abs)
        absA.withUnsafeBufferPointer { pa in
            absB.withUnsafeBufferPointer { pb in
                bound.withUnsafeMutableBufferPointer { pc in
                    GEMM.reference(m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, ops.aLayout, b: pb.baseAddress!,
                                   ops.bLayout, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        return bound.indices.map { i in
            2 * Float(c.k) * Float.ulpOfOne * Swift.abs(alpha) * bound[i] + 4 * Float.ulpOfOne * Swift.abs(betaTerm[i]) + 1e-30
        }
    }

    @Test(arguments: cases)
    func matchesReference(_ c: Case) {
        let ops = Operands(c, seed: UInt64(c.m * 7 + c.n * 3 + c.k))
        let ldc = c.n + 2
        let initial = Tensor<Float>.randomNormal([c.m * ldc], seed: 99).scalars
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 2), (-1.5, 1)] {
            var ours = initial, expected = initial
            ops.a.withUnsafeBufferPointer { pa in
                ops.b.withUnsafeBufferPointer { pb in
                    ours.withUnsafeMutableBufferPointer { pc in
                        GEMM.multiply(m: c.m, n: c.n, k: c.k, alpha: alpha, a: pa.baseAddress!, ops.aLayout,
                                      b: pb.baseAddress!, ops.bLayout, beta: beta, c: pc.baseAddress!, ldc: ldc)
                    }
                    expected.withUnsafeMutableBufferPointer { pc in
                        GEMM.reference(m: c.m, n: c.n, k: c.k, alpha: alpha, a: pa.baseAddress!, ops.aLayout,
                                       b: pb.baseAddress!, ops.bLayout, beta: beta, c: pc.baseAddress!, ldc: ldc)
                    }
                }
            }
            let tol = Self.tolerance(c, ops, alpha: alpha, betaTerm: initial.map { $0 * beta }, ldc: ldc)
            var bad: String?
            for i in 0..<c.m where bad == nil {
                for j in 0..<ldc {
                    let index = i * ldc + j
                    if j >= c.n {
                        if ours[index] != initial[index] { bad = "wrote outside C at row \(i) column \(j)" }
                    } else if Swift.abs(ours[index] - expected[index]) > tol[index] {
                        bad = "C[\(i), \(j)] = \(ours[index]), reference \(expected[index]), tolerance \(tol[index])"
                    }
                }
            }
            #expect(bad == nil, "\(c) alpha \(alpha) beta \(beta): \(bad ?? "")")
        }
    }

    /// beta = 0 means C is not read: NaN in C must not leak into the result (BLAS rule).
    @Test func betaZeroIgnoresNaNInC() {
        let a = [Float](repeating: 1, count: 9 * 4), b = [Float](repeating: 2, count: 4 * 50)
        var c = [Float](repeating: .nan, count: 9 * 50)
        GEMM.multiply(m: 9, n: 50, k: 4, a: a, .rowMajor(columns: 4), b: b, .rowMajor(columns: 50), c: &c, ldc: 50)
        #expect(c.allSatisfy { $0 == 8 })
        var empty = [Float](repeating: .nan, count: 6)
        GEMM.multiply(m: 2, n: 3, k: 0, a: a, .rowMajor(columns: 0), b: b, .rowMajor(columns: 3), c: &empty, ldc: 3)
        #expect(empty.allSatisfy { $0 == 0 }, "k = 0 gives beta · C = 0")
    }

    /// bf16 and f16 B operands are widened exactly, so the result equals the fp32 GEMM on
    /// the widened values bit for bit (same kernel, same order).
    @Test(arguments: [(7, 53, 29), (65, 100, 600), (1, 3, 1)])
    func halfPrecisionBMatchesWidenedFloat(_ size: (Int, Int, Int)) {
        let (m, n, k) = size
        let a = Tensor<Float>.randomNormal([m, k], seed: 4).scalars
        let wFloat = Tensor<Float>.randomNormal([n, k], seed: 5)  // a Linear weight [out, in]
        let wBF16 = wFloat.converted(to: BFloat16.self), wF16 = wFloat.converted(to: Half.self)
        let layout = MatrixLayout.transposedRowMajor(columns: k)
        func product<E>(_ weights: [E], _ call: (UnsafePointer<E>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            weights.withUnsafeBufferPointer { pw in c.withUnsafeMutableBufferPointer { call(pw.baseAddress!, $0.baseAddress!) } }
            return c
        }
        let viaBF16 = product(wBF16.scalars) { w, c in
            GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w, layout, c: c, ldc: n)
        }
        let viaWidened = product(wBF16.toFloat().scalars) { w, c in
            GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w, layout, c: c, ldc: n)
        }
        #expect(viaBF16 == viaWidened)
        let viaF16 = product(wF16.scalars) { w, c in
            GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w, layout, c: c, ldc: n)
        }
        #expect(viaF16 == product(wF16.toFloat().scalars) { w, c in
            GEMM.multiply(m: m, n: n, k: k, a: a, .rowMajor(columns: k), b: w, layout, c: c, ldc: n)
        })
    }

    /// The fused epilogues equal the separate passes: GEMM, then + bias, then GELU.
    @Test func epiloguesMatchSeparatePasses() {
        let (m, n, k) = (37, 70, 45)
        let a = Tensor<Float>.randomNormal([m, k], seed: 6)
        let b = Tensor<Float>.randomNormal([k, n], seed: 7)
        let bias = Tensor<Float>.randomNormal([n], seed: 8)
        let plain = a.matmul(b)
        func fused(_ make: (UnsafePointer<Float>) -> GEMMEpilogue) -> Tensor<Float> {
            var c = [Float](repeating: 0, count: m * n)
            bias.scalars.withUnsafeBufferPointer { pb in
                GEMM.multiply(m: m, n: n, k: k, a: a.scalars, .rowMajor(columns: k), b: b.scalars, .rowMajor(columns: n),
                              c: &c, ldc: n, epilogue: make(pb.baseAddress!))
            }
            return Tensor(c, shape: [m, n])
        }
        #expect(fused { .bias($0) }.scalars == (plain + bias).scalars)
        #expect(fused { _ in .gelu }.scalars == plain.gelu().scalars)
        #expect(fused { .biasGELU($0) }.scalars == (plain + bias).gelu().scalars)
        let scale = Tensor<Float>.randomNormal([n], seed: 9), residual = Tensor<Float>.randomNormal([m, n], seed: 10)
        scale.scalars.withUnsafeBufferPointer { ps in
            residual.scalars.withUnsafeBufferPointer { pr in
                #expect(fused { .biasScaleResidual(bias: $0, scale: ps.baseAddress!, residual: pr.baseAddress!,
                                                   residualStride: n) }.scalars
                        == (residual + (plain + bias) * scale).scalars)
                #expect(fused { _ in .biasScaleResidual(bias: nil, scale: ps.baseAddress!, residual: pr.baseAddress!,
                                                        residualStride: n) }.scalars
                        == (residual + plain * scale).scalars)
            }
        }
    }

    /// The scaled-residual epilogue on a multi-threaded product with several K blocks and
    /// edge tiles, through `Tensor.linear` (bf16 weight, as a checkpoint's), equals the
    /// separate operations bit for bit.
    @Test(arguments: [1, 2])
    func scaledResidualLinearMatchesSeparateOperations(threads: Int) {
        let x = Tensor<Float>.randomNormal([2, 131, 600], seed: 11)                        // [B, N, in]
        let weight = Tensor<Float>.randomNormal([200, 600], seed: 12).converted(to: BFloat16.self)  // [out, in]
        let bias = Tensor<Float>.randomNormal([200], seed: 13), scale = Tensor<Float>.randomNormal([200], seed: 14)
        let residual = Tensor<Float>.randomNormal([2, 131, 200], seed: 15)                 // [B, N, out]
        ComputeThreads.withCount(threads) {
            let fused = x.linear(weight: weight, bias: bias,
                                 scaledResidual: ScaledResidual(scale: scale, residual: residual))  // [B, N, out]
            let separate = residual + x.linear(weight: weight, bias: bias) * scale                 // [B, N, out]
            #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        }
    }

    /// Batched products read strided sub-matrices (heads of a fused qkv tensor) in place.
    @Test(arguments: [1, 2])
    func batchedMatchesOneByOne(threads: Int) {
        let (heads, tokens, headDim) = (3, 19, 8)
        let width = heads * headDim
        let qkv = Tensor<Float>.randomNormal([tokens, 3 * width], seed: 10).scalars
        var scores = [Float](repeating: 0, count: heads * tokens * tokens)
        // S[h] = Q[h] · K[h]ᵀ, with Q[h] = qkv[:, h*hd ..< (h+1)*hd], K[h] = qkv[:, D + h*hd ...]
        GEMM.batched(m: tokens, n: tokens, k: headDim,
                     a: qkv, MatrixLayout(rowStride: 3 * width, columnStride: 1),
                     aOffsets: (0..<heads).map { $0 * headDim },
                     b: qkv, MatrixLayout(rowStride: 1, columnStride: 3 * width),
                     bOffsets: (0..<heads).map { width + $0 * headDim },
                     c: &scores, ldc: tokens, cOffsets: (0..<heads).map { $0 * tokens * tokens }, threads: threads)
        let x = Tensor<Float>(qkv, shape: [tokens, 3, heads, headDim])
        for h in 0..<heads {
            let q = x.selecting(axis: 1, index: 0).selecting(axis: 1, index: h)   // [tokens, hd]
            let kt = x.selecting(axis: 1, index: 1).selecting(axis: 1, index: h)
            let expected = q.matmul(kt.transposed()).scalars
            let got = Array(scores[(h * tokens * tokens)..<((h + 1) * tokens * tokens)])
            #expect(got == expected, "head \(h)")
        }
    }
}
