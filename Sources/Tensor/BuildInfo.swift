/// How this copy of Tensor was built and which kernels it runs: for logs, bug reports
/// and benchmarks (`internvit bench` and `internvit inspect` print it).
///
/// A debug build is much slower than a release build and an app that depends on
/// this package without the documented flags gets the portable kernels; both are
/// visible here.
public struct BuildInfo: Sendable, CustomStringConvertible {
    /// Kernel tables compiled into this build (`portable` always; `avx2` and `avx512`
    /// in an x86-64 build that could pass instruction-set flags).
    public let kernelsCompiledIn: [KernelKind]
    /// Kernel tables this CPU can run.
    public let kernelsSupported: [KernelKind]
    /// The table in use (the best supported one, or `TENSOR_KERNEL`'s choice).
    public let selectedKernel: KernelKind
    /// Width in bits of the vector registers the selected kernels use (0 when an app's
    /// build flags decide it, as a versioned dependency built with `-DTENSOR_FMA`).
    public let vectorBits: Int
    /// The GEMM micro-tile of the selected kernels, rows × columns of C.
    public let gemmTile: (rows: Int, columns: Int)
    /// The GEMM depth block (the same in every table, so results are the same bits).
    public let gemmDepthBlock: Int
    /// The int8 GEMM micro-kernel the selected table brings (`avx512-vnni`, `avx-vnni` or
    /// `portable`; the same int32 sums from each).
    public let int8Kernel: String
    /// What the code outside the kernel targets is compiled for.
    public let baseline: String
    /// Whether Tensor was compiled without optimisation (`swift build` without `-c release`).
    public let isDebugBuild: Bool
    /// Threads the kernels use by default (`ComputeThreads.count`).
    public let threads: Int

    /// The current build and selection. Throws `KernelSelectionError` when
    /// `TENSOR_KERNEL` asks for a kernel this build or CPU does not have; call it
    /// early to report that as an error rather than stopping at the first kernel.
    public static func current() throws -> BuildInfo {
        let table = try KernelDispatch.selection.get()
        return BuildInfo(
            kernelsCompiledIn: KernelTable.compiledIn.map(\.kind),
            kernelsSupported: KernelDispatch.supported.map(\.kind),
            selectedKernel: table.kind, vectorBits: table.vectorBits,
            gemmTile: (table.gemmRows, table.gemmColumns), gemmDepthBlock: GEMMKernel.kc,
            int8Kernel: Int8GEMM.microKernel(for: table.kind, features: .host).rawValue, baseline: baselineDescription, isDebugBuild: isDebug, threads: ComputeThreads.count)
    }

    /// Whether Tensor itself was compiled without optimisation.
    public static var isDebug: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    static var baselineDescription: String {
        #if TENSOR_HOST_CPU
        return "TENSOR_TARGET_CPU (all code for the build host's CPU)"
        #elseif TENSOR_BASELINE_V3
        return "x86-64-v3 (AVX2 + FMA)"
        #elseif TENSOR_NO_FMA && TENSOR_FMA
        return "versioned dependency, instruction set from the app's build flags (TENSOR_FMA)"
        #elseif TENSOR_NO_FMA
        return "versioned dependency without instruction-set flags (multiply then add; see Docs/Performance.md)"
        #elseif arch(arm64)
        return "arm64 (NEON)"
        #else
        return "compiler default"
        #endif
    }

    /// One line per fact, `name: value`.
    public var description: String {
        """
        build: \(isDebugBuild ? "debug (much slower: use swift build -c release)" : "release")
        baseline: \(baseline)
        kernels compiled in: \(kernelsCompiledIn.map(\.rawValue).joined(separator: ", "))
        kernels this CPU runs: \(kernelsSupported.map(\.rawValue).joined(separator: ", "))
        kernel selected: \(selectedKernel.rawValue) (\(vectorBits == 0 ? "vector width from the build flags" : "\(vectorBits)-bit vectors"); \(KernelDispatch.environmentVariable) forces one)
        GEMM tile: \(gemmTile.rows)x\(gemmTile.columns), depth block \(gemmDepthBlock)
        int8 kernel: \(int8Kernel)
        threads: \(threads)
        """
    }
}
