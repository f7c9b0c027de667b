import TensorKernelsAVX2
import TensorKernelsAVX512

/// The instruction sets Tensor has kernels for (the values `TENSOR_KERNEL` accepts).
public enum KernelKind: String, CaseIterable, Sendable {
    /// Plain Swift SIMD code compiled for Tensor's own target: NEON on arm64, AVX2 + FMA
    /// in the default x86-64 build, no instruction-set flags in a versioned dependency.
    case portable
    /// The `TensorKernelsAVX2` target (`-march=x86-64-v3`).
    case avx2
    /// The `TensorKernelsAVX512` target (`-march=x86-64-v4`).
    case avx512
}

/// The signature of a GEMM micro-kernel: `C[0..<rows, 0..<columns] = alpha · A·B + beta · C`
/// over `kc` steps of a packed A panel (`rows` floats per k) and a packed B panel
/// (`columns` floats per k); `c` has `rowStride` floats between rows.
typealias GEMMMicroKernel = @Sendable (
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ rowStride: Int, _ alpha: Float, _ beta: Float
) -> Void

/// One instruction set's entry points, chosen once per process (`KernelDispatch`).
///
/// Each entry is a concrete, non-inlinable function of the target compiled for that
/// instruction set; code above the table never sees which one runs. Every table computes
/// the same bits: the blocking that decides summation order (`GEMMKernel.kc`) is shared,
/// and each element of C is one multiply-add per k in ascending order in every
/// micro-kernel, whatever its tile shape. To add an instruction set (say integer VNNI
/// GEMMs), add a target with its flags in Package.swift, a `KernelKind` case, its entries
/// here and its feature test in `KernelDispatch.isSupported`.
struct KernelTable: Sendable {
    /// Which instruction set.
    let kind: KernelKind
    /// Width in bits of the vector registers the kernels use (0: decided by an app's build
    /// flags, unknown to Tensor).
    let vectorBits: Int
    /// Rows of C per GEMM micro-tile (MR).
    let gemmRows: Int
    /// Columns of C per GEMM micro-tile (NR).
    let gemmColumns: Int
    /// Largest number of rows of a packed A block (MC): sized for L2, and only a
    /// performance choice (it never changes the bits).
    let gemmRowBlock: Int
    /// The GEMM micro-kernel.
    let gemmMicroKernel: GEMMMicroKernel

    /// Plain Swift, always compiled in.
    static let portable = KernelTable(
        kind: .portable, vectorBits: portableVectorBits, gemmRows: GEMMKernel.portableRows,
        gemmColumns: GEMMKernel.portableColumns, gemmRowBlock: 160,
        gemmMicroKernel: { GEMMKernel.portableMicroKernel($0, $1, $2, $3, $4, $5, $6) })

    static let avx2 = KernelTable(
        kind: .avx2, vectorBits: 256, gemmRows: AVX2Kernels.gemmRows, gemmColumns: AVX2Kernels.gemmColumns,
        gemmRowBlock: 160, gemmMicroKernel: { AVX2Kernels.gemmMicroKernel($0, $1, $2, $3, $4, $5, $6) })

    static let avx512 = KernelTable(
        kind: .avx512, vectorBits: 512, gemmRows: AVX512Kernels.gemmRows, gemmColumns: AVX512Kernels.gemmColumns,
        gemmRowBlock: 336, gemmMicroKernel: { AVX512Kernels.gemmMicroKernel($0, $1, $2, $3, $4, $5, $6) })

    /// The tables in this build, in order of preference (last is best): an instruction
    /// set's target counts only when it was compiled with its flags.
    static let compiledIn: [KernelTable] = [.portable]
        + (AVX2Kernels.isCompiled ? [.avx2] : [])
        + (AVX512Kernels.isCompiled ? [.avx512] : [])

    /// Register width of the portable kernel's instructions in this build.
    static var portableVectorBits: Int {
        #if TENSOR_HOST_CPU
        return CPUFeatures.host.hasAVX512Kernels ? 512 : 256
        #elseif TENSOR_BASELINE_V3
        return 256  // Tensor itself is compiled for x86-64-v3
        #elseif TENSOR_NO_FMA && TENSOR_FMA
        return 0    // a versioned dependency compiled with the app's flags: unknown here
        #else
        return 128  // NEON, or SSE in a build without instruction-set flags
        #endif
    }
}
