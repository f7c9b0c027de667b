// The AVX-VNNI integer dot-product kernel (256-bit, VEX-encoded `vpdpbusd`): for CPUs with
// AVX2 and AVX-VNNI but no AVX-512 (Intel Alder Lake, Raptor Lake, Arrow Lake; AMD Zen 5
// desktop parts), u8 × s8 → s32, four products per 32-bit lane per instruction.
// This target is compiled with `-Xcc -march=x86-64-v3 -Xcc -mavxvnni` and the define
// `TENSOR_KERNELS_AVXVNNI` (Package.swift): no AVX-512 instruction and no zmm register
// (`Scripts/check_kernel_isolation.sh` checks). Without those flags (a versioned
// dependency, a non-x86 host) `isCompiled` is false and Tensor uses its portable integer
// loops, which compute the same int32 sums. Tensor calls this entry point only on a CPU
// whose cpuid reports AVX-VNNI (leaf 7 sub-leaf 1, EAX bit 4) and AVX2 with the ymm state
// saved by the operating system.
#if TENSOR_KERNELS_AVXVNNI
import _Builtin_intrinsics.intel

/// `c + Σ₄ a·b` per 32-bit lane (u8 × s8 → s32, wrapping): VEX `vpdpbusd ymm`.
@inline(__always)
private func dotProducts(_ c: __m256i, _ a: __m256i, _ b: __m256i) -> __m256i {
    #if TENSOR_AVXVNNI_EVEX_CHECK
    // Only in Scripts/check_avxvnni.sh's harness build (Package.swift never sets this): the
    // same instruction in its AVX512-VL encoding, all lanes unmasked, so that this kernel
    // can run and be checked on an AVX512-VNNI CPU without AVX-VNNI.
    return _mm256_mask_dpbusd_epi32(c, 0xFF, a, b)
    #else
    return _mm256_dpbusd_avx_epi32(c, a, b)
    #endif
}
#endif

/// The AVX-VNNI entry points of Tensor's integer GEMM (pointer-level, not inlinable).
public enum AVXVNNIKernels {
    /// Whether this target was compiled with its instruction-set define; without it the
    /// entry points must not be called.
    public static let isCompiled: Bool = {
        #if TENSOR_KERNELS_AVXVNNI
        return true
        #else
        return false
        #endif
    }()

    /// C[0..<4, 0..<64] = Σ_k A[r, k] · B[k, c] in int32, over `groups` groups of 4 k
    /// (`accumulate`: C += that sum, for the later K blocks of a product).
    ///
    /// The same operands and the same int32 sums as the AVX512-VNNI kernel
    /// (`VNNIKernels.int8MicroKernel`): `a` holds 4 rows of unsigned bytes, `aRowStride`
    /// bytes apart (k contiguous); `b` a packed panel of 64 columns, per group of 4 k
    /// 64 × 4 signed bytes (column c's 4 consecutive k at `4c`); `c` has `cRowStride`
    /// int32 between rows. Sums are exact (the caller bounds 4 · groups · 255 · 127 < 2³¹,
    /// see `Int8GEMM`), so the order of the additions does not change a bit.
    ///
    /// Register budget: x86-64 without AVX-512 has 16 ymm registers. A 4 × 64 tile would
    /// need 32 accumulators, and 4 × 32 (16 accumulators) leaves none for B and A. So
    /// the kernel makes four passes over the panel, one per 16-column quarter: 4 rows × 16
    /// columns = 8 ymm accumulators, 2 for the quarter's B (16 columns × 4 bytes = 64
    /// bytes per group) and 4 for the broadcast A rows, 14 in all.
    /// (`_mm256_loadu_si256` takes a `__m256i_u` pointer, which Swift does not import
    /// usefully; unaligned raw loads and stores of `__m256i` are the same `vmovdqu`.)
    @inline(never)
    public static func int8MicroKernel(
        _ groups: Int, _ a: UnsafePointer<UInt8>, _ aRowStride: Int,
        _ b: UnsafePointer<Int8>, _ c: UnsafeMutablePointer<Int32>, _ cRowStride: Int, _ accumulate: Bool
    ) {
        #if TENSOR_KERNELS_AVXVNNI
        let a0 = UnsafeRawPointer(a), a1 = a0 + aRowStride, a2 = a1 + aRowStride, a3 = a2 + aRowStride
        let row = 4 * cRowStride  // bytes between rows of C
        for quarter in 0..<4 {
            // Columns 16·quarter ..< 16·quarter + 16: 64 bytes of C per row, 64 bytes of B per group.
            let out = UnsafeMutableRawPointer(c) + 64 * quarter
            var c00 = __m256i(), c01 = __m256i(), c10 = __m256i(), c11 = __m256i()
            var c20 = __m256i(), c21 = __m256i(), c30 = __m256i(), c31 = __m256i()
            if accumulate {
                c00 = out.loadUnaligned(as: __m256i.self); c01 = (out + 32).loadUnaligned(as: __m256i.self)
                c10 = (out + row).loadUnaligned(as: __m256i.self); c11 = (out + row + 32).loadUnaligned(as: __m256i.self)
                c20 = (out + 2 * row).loadUnaligned(as: __m256i.self); c21 = (out + 2 * row + 32).loadUnaligned(as: __m256i.self)
                c30 = (out + 3 * row).loadUnaligned(as: __m256i.self); c31 = (out + 3 * row + 32).loadUnaligned(as: __m256i.self)
            }
            var pb = UnsafeRawPointer(b) + 64 * quarter
            for g in 0..<groups {
                let b0 = pb.loadUnaligned(as: __m256i.self), b1 = (pb + 32).loadUnaligned(as: __m256i.self)
                let offset = 4 * g
                let x0 = _mm256_set1_epi32(a0.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                let x1 = _mm256_set1_epi32(a1.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                c00 = dotProducts(c00, x0, b0); c01 = dotProducts(c01, x0, b1)
                c10 = dotProducts(c10, x1, b0); c11 = dotProducts(c11, x1, b1)
                let x2 = _mm256_set1_epi32(a2.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                let x3 = _mm256_set1_epi32(a3.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                c20 = dotProducts(c20, x2, b0); c21 = dotProducts(c21, x2, b1)
                c30 = dotProducts(c30, x3, b0); c31 = dotProducts(c31, x3, b1)
                pb += 256
            }
            out.storeBytes(of: c00, as: __m256i.self); (out + 32).storeBytes(of: c01, as: __m256i.self)
            (out + row).storeBytes(of: c10, as: __m256i.self); (out + row + 32).storeBytes(of: c11, as: __m256i.self)
            (out + 2 * row).storeBytes(of: c20, as: __m256i.self); (out + 2 * row + 32).storeBytes(of: c21, as: __m256i.self)
            (out + 3 * row).storeBytes(of: c30, as: __m256i.self); (out + 3 * row + 32).storeBytes(of: c31, as: __m256i.self)
        }
        #else
        preconditionFailure("AVXVNNIKernels.int8MicroKernel called in a build without the AVX-VNNI target's flags")
        #endif
    }
}
