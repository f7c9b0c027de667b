// The AVX512-VNNI integer dot-product kernel (Ice Lake, Zen 4 and later): `vpdpbusd`,
// u8 × s8 → s32, four products per 32-bit lane per instruction.
// This target is compiled with `-Xcc -march=x86-64-v4 -Xcc -mavx512vnni` and the define
// `TENSOR_KERNELS_VNNI` (Package.swift). Without them (a versioned dependency, a non-x86
// host) `isCompiled` is false and Tensor uses its portable integer loops, which compute
// the same int32 sums. Tensor calls this entry point only on a CPU whose cpuid and
// operating system report AVX-512 and AVX512-VNNI.
#if TENSOR_KERNELS_VNNI
import _Builtin_intrinsics.intel
#endif

/// The AVX512-VNNI entry points of Tensor's integer GEMM (pointer-level, not inlinable).
public enum VNNIKernels {
    /// Whether this target was compiled with its instruction-set define; without it the
    /// entry points must not be called.
    public static let isCompiled: Bool = {
        #if TENSOR_KERNELS_VNNI
        return true
        #else
        return false
        #endif
    }()

    /// Rows of C per micro-tile.
    public static let int8Rows = 4
    /// Columns of C per micro-tile (a packed weight panel).
    public static let int8Columns = 64

    /// C[0..<4, 0..<64] = Σ_k A[r, k] · B[k, c] in int32, over `groups` groups of 4 k
    /// (`accumulate`: C += that sum, for the later K blocks of a product).
    ///
    /// `a` holds 4 rows of unsigned bytes, `aRowStride` bytes apart (k contiguous);
    /// `b` a packed panel of 64 columns: per group of 4 k, 64 × 4 signed bytes (column
    /// c's 4 consecutive k at `4c`); `c` has `cRowStride` int32 between rows and is
    /// overwritten (or added to). `vpdpbusd` wraps (no saturation); the caller bounds
    /// 4 · groups · 255 · 128 < 2³¹ (see `Int8GEMM`).
    /// 16 of the 32 zmm registers hold C, 4 hold B, 1 the broadcast of A.
    @inline(never)
    public static func int8MicroKernel(
        _ groups: Int, _ a: UnsafePointer<UInt8>, _ aRowStride: Int,
        _ b: UnsafePointer<Int8>, _ c: UnsafeMutablePointer<Int32>, _ cRowStride: Int, _ accumulate: Bool
    ) {
        #if TENSOR_KERNELS_VNNI
        let out = UnsafeMutableRawPointer(c)
        let row = 4 * cRowStride
        var c00 = __m512i(), c01 = __m512i(), c02 = __m512i(), c03 = __m512i()
        var c10 = __m512i(), c11 = __m512i(), c12 = __m512i(), c13 = __m512i()
        var c20 = __m512i(), c21 = __m512i(), c22 = __m512i(), c23 = __m512i()
        var c30 = __m512i(), c31 = __m512i(), c32 = __m512i(), c33 = __m512i()
        if accumulate {
            c00 = _mm512_loadu_si512(out); c01 = _mm512_loadu_si512(out + 64)
            c02 = _mm512_loadu_si512(out + 128); c03 = _mm512_loadu_si512(out + 192)
            c10 = _mm512_loadu_si512(out + row); c11 = _mm512_loadu_si512(out + row + 64)
            c12 = _mm512_loadu_si512(out + row + 128); c13 = _mm512_loadu_si512(out + row + 192)
            c20 = _mm512_loadu_si512(out + 2 * row); c21 = _mm512_loadu_si512(out + 2 * row + 64)
            c22 = _mm512_loadu_si512(out + 2 * row + 128); c23 = _mm512_loadu_si512(out + 2 * row + 192)
            c30 = _mm512_loadu_si512(out + 3 * row); c31 = _mm512_loadu_si512(out + 3 * row + 64)
            c32 = _mm512_loadu_si512(out + 3 * row + 128); c33 = _mm512_loadu_si512(out + 3 * row + 192)
        }
        let a0 = UnsafeRawPointer(a), a1 = a0 + aRowStride, a2 = a1 + aRowStride, a3 = a2 + aRowStride
        var pb = UnsafeRawPointer(b)
        for g in 0..<groups {
            let b0 = _mm512_loadu_si512(pb), b1 = _mm512_loadu_si512(pb + 64)
            let b2 = _mm512_loadu_si512(pb + 128), b3 = _mm512_loadu_si512(pb + 192)
            let offset = 4 * g
            let x0 = _mm512_set1_epi32(a0.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            c00 = _mm512_dpbusd_epi32(c00, x0, b0); c01 = _mm512_dpbusd_epi32(c01, x0, b1)
            c02 = _mm512_dpbusd_epi32(c02, x0, b2); c03 = _mm512_dpbusd_epi32(c03, x0, b3)
            let x1 = _mm512_set1_epi32(a1.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            c10 = _mm512_dpbusd_epi32(c10, x1, b0); c11 = _mm512_dpbusd_epi32(c11, x1, b1)
            c12 = _mm512_dpbusd_epi32(c12, x1, b2); c13 = _mm512_dpbusd_epi32(c13, x1, b3)
            let x2 = _mm512_set1_epi32(a2.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            c20 = _mm512_dpbusd_epi32(c20, x2, b0); c21 = _mm512_dpbusd_epi32(c21, x2, b1)
            c22 = _mm512_dpbusd_epi32(c22, x2, b2); c23 = _mm512_dpbusd_epi32(c23, x2, b3)
            let x3 = _mm512_set1_epi32(a3.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            c30 = _mm512_dpbusd_epi32(c30, x3, b0); c31 = _mm512_dpbusd_epi32(c31, x3, b1)
            c32 = _mm512_dpbusd_epi32(c32, x3, b2); c33 = _mm512_dpbusd_epi32(c33, x3, b3)
            pb += 256
        }
        _mm512_storeu_si512(out, c00); _mm512_storeu_si512(out + 64, c01)
        _mm512_storeu_si512(out + 128, c02); _mm512_storeu_si512(out + 192, c03)
        _mm512_storeu_si512(out + row, c10); _mm512_storeu_si512(out + row + 64, c11)
        _mm512_storeu_si512(out + row + 128, c12); _mm512_storeu_si512(out + row + 192, c13)
        _mm512_storeu_si512(out + 2 * row, c20); _mm512_storeu_si512(out + 2 * row + 64, c21)
        _mm512_storeu_si512(out + 2 * row + 128, c22); _mm512_storeu_si512(out + 2 * row + 192, c23)
        _mm512_storeu_si512(out + 3 * row, c30); _mm512_storeu_si512(out + 3 * row + 64, c31)
        _mm512_storeu_si512(out + 3 * row + 128, c32); _mm512_storeu_si512(out + 3 * row + 192, c33)
        #else
        preconditionFailure("VNNIKernels.int8MicroKernel called in a build without the VNNI target's flags")
        #endif
    }
}
