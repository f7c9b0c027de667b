/// Single-precision general matrix multiply, `C = alpha · op(A) · op(B) + beta · C`.
///
/// A packed, cache-blocked, multi-threaded implementation in the Goto/BLIS structure
/// (see `GEMMKernel` and Docs/Performance.md). Operands are raw pointers plus a
/// `MatrixLayout`, so transposes, leading dimensions and sub-matrices are all just
/// strides. B may be stored as `Float`, `BFloat16` or `Half`; it is widened while it
/// is packed, so the arithmetic is always fp32 with fp32 accumulation.
///
/// Shapes: op(A) is `[m, k]`, op(B) is `[k, n]`, C is `[m, n]` row-major with leading
/// dimension `ldc` (≥ n). C must not overlap A or B.
public enum GEMM {
    /// `C = alpha · op(A) · op(B) + beta · C`, then `epilogue`, using up to `threads`
    /// threads (default: `ComputeThreads.count`).
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        b: UnsafePointer<Float>, _ bLayout: MatrixLayout,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue = .none, threads: Int = ComputeThreads.count
    ) {
        validate(m: m, n: n, k: k, ldc: ldc)
        GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, b: b, bLayout,
                       beta: beta, c: c, ldc: ldc, epilogue: epilogue, threads: threads)
    }

    /// The same with B stored as bfloat16 (how checkpoint weights live in memory).
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        b: UnsafePointer<BFloat16>, _ bLayout: MatrixLayout,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue = .none, threads: Int = ComputeThreads.count
    ) {
        validate(m: m, n: n, k: k, ldc: ldc)
        GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, b: b, bLayout,
                       beta: beta, c: c, ldc: ldc, epilogue: epilogue, threads: threads)
    }

    /// The same with B stored as float16.
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        b: UnsafePointer<Half>, _ bLayout: MatrixLayout,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue = .none, threads: Int = ComputeThreads.count
    ) {
        validate(m: m, n: n, k: k, ldc: ldc)
        GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, b: b, bLayout,
                       beta: beta, c: c, ldc: ldc, epilogue: epilogue, threads: threads)
    }

    /// The same with B = Wᵀ for a weight `W` `[n, k]` packed once (`PackedLinearWeights`):
    /// the same bits as passing `W` itself with `.transposedRowMajor(columns: k)`, without
    /// transposing it again on every call.
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout, packedB: PackedLinearWeights,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue = .none, threads: Int = ComputeThreads.count
    ) {
        validate(m: m, n: n, k: k, ldc: ldc)
        GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, packed: packedB,
                       beta: beta, c: c, ldc: ldc, epilogue: epilogue, threads: threads)
    }

    /// BLAS-style spelling: `sgemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)`
    /// for row-major storage. `transA` means A is stored `[k, m]` and used transposed.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        multiply(m: m, n: n, k: k, alpha: alpha,
                 a: a, transA ? MatrixLayout(rowStride: 1, columnStride: lda) : MatrixLayout(rowStride: lda, columnStride: 1),
                 b: b, transB ? MatrixLayout(rowStride: 1, columnStride: ldb) : MatrixLayout(rowStride: ldb, columnStride: 1),
                 beta: beta, c: c, ldc: ldc)
    }

    /// A batch of independent products of the same shape: for each `i`,
    /// `C[i] = alpha · op(A[i]) · op(B[i]) + beta · C[i]`, where operand `i` starts at
    /// `a + aOffsets[i]` (likewise B, C). `Tensor.matmul` runs batched products this way,
    /// reading its operands through their strides with no copies. (Attention does not: the
    /// fused `AttentionKernel` drives the micro-kernel itself on panels packed once per head.)
    ///
    /// With at least as many products as threads, each thread runs whole products;
    /// otherwise products run one after another, each on all threads.
    public static func batched(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout, aOffsets: [Int],
        b: UnsafePointer<Float>, _ bLayout: MatrixLayout, bOffsets: [Int],
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, cOffsets: [Int],
        threads: Int = ComputeThreads.count
    ) {
        precondition(aOffsets.count == bOffsets.count && bOffsets.count == cOffsets.count,
                     "batched GEMM offset counts differ: \(aOffsets.count), \(bOffsets.count), \(cOffsets.count)")
        validate(m: m, n: n, k: k, ldc: ldc)
        let count = cOffsets.count
        if count >= threads {
            parallelFor(count, grain: 1, threads: threads) { items in
                for i in items {
                    GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a + aOffsets[i], aLayout,
                                   b: b + bOffsets[i], bLayout, beta: beta, c: c + cOffsets[i], ldc: ldc,
                                   epilogue: .none, threads: 1)
                }
            }
        } else {
            for i in 0..<count {
                GEMMKernel.run(m: m, n: n, k: k, alpha: alpha, a: a + aOffsets[i], aLayout,
                               b: b + bOffsets[i], bLayout, beta: beta, c: c + cOffsets[i], ldc: ldc,
                               epilogue: .none, threads: threads)
            }
        }
    }

    private static func validate(m: Int, n: Int, k: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM with negative size m \(m) n \(n) k \(k)")
        precondition(ldc >= n || m <= 1, "GEMM leading dimension of C \(ldc) < n \(n)")
    }

    /// The textbook triple loop in `Double`-free fp32, k ascending: the oracle that tests
    /// compare the fast kernel with. Same contract as `multiply`.
    public static func reference(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        b: UnsafePointer<Float>, _ bLayout: MatrixLayout,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    sum += a[i * aLayout.rowStride + p * aLayout.columnStride]
                        * b[p * bLayout.rowStride + j * bLayout.columnStride]
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }
}
