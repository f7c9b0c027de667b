import TensorKernelsAVXVNNI
import TensorKernelsVNNI

/// The integer GEMM under the int8 linear layers: `C[M, N] = A[M, K] · Bᵀ` in int32 with
/// A unsigned bytes (activations with a zero point) and B signed bytes (weights).
///
/// B is packed once (`packWeights`) into panels of 64 columns: per group of 4 k, 64 × 4
/// bytes, column c's 4 consecutive k at byte `4c` — the operand layout of `vpdpbusd`.
/// A is row-major with its rows padded to a multiple of 4 bytes (zeros) and its row count
/// to a multiple of 4. Every path computes exact int32 sums, so the AVX512-VNNI kernel,
/// the AVX-VNNI (256-bit) kernel and the portable loops give the same bits.
///
/// No overflow: `vpdpbusd` wraps instead of saturating, so the int32 sum must stay in
/// range. Each product is at most 255 · 127 = 32,385 in magnitude (weights are clamped to
/// ±127, never -128), so K products sum to at most 32,385 · K, which is below
/// 2³¹ − 1 = 2,147,483,647 for K ≤ 66,311; `maxDepth` = 65,536 is required. The
/// zero-point correction `acc − z · Σ_k B[n, k]` is bounded by 2 · 32,385 · K as well
/// (|Σ B| ≤ 127 K, z ≤ 255): at K = 65,536 that is 4.24e9, so the correction is done in
/// Int64 (`Int8Linear`). `Int8GEMMTests` checks the extreme sums bit for bit.
enum Int8GEMM {
    /// Rows of C per micro-tile.
    static let rows = 4
    /// Columns per packed weight panel.
    static let columns = 64
    /// Largest K (see the no-overflow bound above).
    static let maxDepth = 65_536

    /// K rounded up to whole groups of 4.
    static func paddedDepth(_ k: Int) -> Int { (k + 3) / 4 * 4 }
    /// N rounded up to whole panels.
    static func paddedColumns(_ n: Int) -> Int { (n + columns - 1) / columns * columns }
    /// M rounded up to whole micro-tiles.
    static func paddedRows(_ m: Int) -> Int { (m + rows - 1) / rows * rows }

    /// Whether this build contains the AVX512-VNNI kernel (false in a versioned dependency
    /// or on a non-x86 host).
    static var vnniCompiled: Bool { VNNIKernels.isCompiled }
    /// Whether this build contains the AVX-VNNI (256-bit) kernel.
    static var avxVNNICompiled: Bool { AVXVNNIKernels.isCompiled }

    /// Which integer micro-kernel runs (`selectedKernel`).
    enum MicroKernel: String, Sendable, CaseIterable {
        /// Plain Swift loops (any CPU).
        case portable
        /// 256-bit VEX `vpdpbusd` (`AVXVNNIKernels`), for AVX2 + AVX-VNNI CPUs without AVX-512.
        case avxVNNI = "avx-vnni"
        /// 512-bit `vpdpbusd` (`VNNIKernels`).
        case avx512VNNI = "avx512-vnni"
    }

    /// The micro-kernel for the float32 table `table` on a CPU with `features`: AVX512-VNNI
    /// under the AVX-512 table on a CPU with it; otherwise AVX-VNNI (when compiled in and
    /// the CPU has it and AVX2) under the AVX-512 or AVX2 table; otherwise the portable
    /// loops (always under `TENSOR_KERNEL=portable`).
    static func microKernel(for table: KernelKind, features: CPUFeatures) -> MicroKernel {
        if table == .avx512 && VNNIKernels.isCompiled && features.avx512vnni { return .avx512VNNI }
        if table != .portable && AVXVNNIKernels.isCompiled && features.hasAVXVNNIKernels { return .avxVNNI }
        return .portable
    }

    /// The micro-kernel this process uses now (follows `KernelDispatch.current`).
    static var selectedKernel: MicroKernel { microKernel(for: KernelDispatch.current.kind, features: .host) }

    /// Whether the AVX512-VNNI kernel runs: compiled in, the CPU has it, and the float32
    /// kernel table in use is the AVX-512 one (`TENSOR_KERNEL=portable|avx2` turns it off).
    static var usesVNNI: Bool { selectedKernel == .avx512VNNI }

    /// Packs `weights` (`[n, k]` row-major, values in ±127) into `paddedColumns(n) / 64`
    /// panels of `paddedDepth(k) · 64` bytes (zeros in the padding).
    static func packWeights(_ weights: UnsafePointer<Int8>, n: Int, k: Int) -> [Int8] {
        let depth = paddedDepth(k), panels = paddedColumns(n) / columns
        var packed = [Int8](repeating: 0, count: panels * depth * columns)
        for column in 0..<n {
            let panel = column / columns, lane = column % columns
            let base = panel * depth * columns + 4 * lane
            for kk in 0..<k {
                packed[base + (kk / 4) * 4 * columns + kk % 4] = weights[column * k + kk]
            }
        }
        return packed
    }

    /// `c[paddedRows(m), paddedColumns(n)] = a · Bᵀ` for `a` of `paddedRows(m)` rows of
    /// `depth` bytes and `packed` from `packWeights`; `depth` is a multiple of 4.
    static func multiply(
        m: Int, n: Int, depth: Int, a: UnsafePointer<UInt8>, packed: UnsafePointer<Int8>,
        c: UnsafeMutablePointer<Int32>, kernel: MicroKernel = selectedKernel
    ) {
        let ldc = paddedColumns(n)
        let c = UncheckedSendable(c)
        multiply(m: m, n: n, depth: depth, a: a, packed: packed, kernel: kernel) { tile, panel, sums in
            for r in 0..<rows {
                (c.value + (tile * rows + r) * ldc + panel * columns).update(from: sums + r * columns, count: columns)
            }
        }
    }

    /// Runs `a · Bᵀ` tile by tile and hands each 4 × 64 block of int32 sums (`sums`, rows
    /// 64 apart, in L1) to `epilogue(tile, panel, sums)` at once: rows `4·tile ..< 4·tile + 4`,
    /// columns `64·panel ..< 64·panel + 64`. The epilogue of different tiles runs on
    /// different threads and must write disjoint memory.
    ///
    /// Blocking: a job is one weight panel (`depth` × 64 bytes, 64 KB at K = 1024) against
    /// a block of row tiles holding about 256 KB of A (256 rows at K = 1024, 64 at 4096),
    /// both resident in L2 (the blocks are of equal size, within one tile); consecutive
    /// jobs of a thread keep the same A block and stream
    /// the panels, so the packed weights (1–4 MB per layer) are read from L3 once per A
    /// block. Inside a job, K is cut into blocks of 256 (16 KB of the panel, which stays in
    /// L1 while every tile of the block passes over it); the tiles' int32 sums wait in a
    /// per-thread scratch (≤ 64 KB) until the last K block, then go to the epilogue. The
    /// sums are exact, so the blocking does not change a bit. The jobs are split over the
    /// threads in contiguous ranges (whole A blocks, except one shared at the split).
    static func multiply(
        m: Int, n: Int, depth: Int, a: UnsafePointer<UInt8>, packed: UnsafePointer<Int8>,
        kernel: MicroKernel = selectedKernel,
        epilogue: (_ tile: Int, _ panel: Int, _ sums: UnsafePointer<Int32>) -> Void
    ) {
        precondition(depth % 4 == 0 && depth <= maxDepth, "int8 GEMM depth \(depth) must be a multiple of 4 and ≤ \(maxDepth)")
        let tiles = paddedRows(m) / rows, panels = paddedColumns(n) / columns
        let groups = depth / 4
        let panelBytes = depth * columns
        let blockTiles = Swift.min(64, Swift.max(16, (262_144 / Swift.max(depth, 1)) / rows))
        // Blocks of equal size (within one tile): 257 tiles at K = 1024 are 5 blocks of
        // 51–52 tiles, not 4 of 64 and one of 1, so the threads' contiguous job ranges
        // (split by job count) carry equal work (the 64/1 split gave one thread 160 tiles
        // per panel and the other 97).
        let blocks = (tiles + blockTiles - 1) / blockTiles
        let blockStart = { (block: Int) in tiles * block / Swift.max(blocks, 1) }
        let kBlocks = Swift.max(1, (groups + kBlockGroups - 1) / kBlockGroups)
        let blockGroups = (groups + kBlocks - 1) / kBlocks  // balanced K blocks
        let tileInts = rows * columns
        let a = UncheckedSendable(a), packed = UncheckedSendable(packed)
        // About 16 · 4 · 64 · depth · 2 operations per job or more: one job is worth a thread.
        withoutActuallyEscaping(epilogue) { epilogue in
            let epilogue = UncheckedSendable(epilogue)
            parallelFor(blocks * panels, grain: 1) { range in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: blockTiles * tileInts) { scratch in
                    let sums = scratch.baseAddress!  // [blockTiles, 4, 64]
                    for job in range {
                        let block = job / panels, panel = job % panels
                        let b = packed.value + panel * panelBytes
                        let firstTile = blockStart(block), endTile = blockStart(block + 1)
                        var g0 = 0
                        while g0 < groups {
                            let count = Swift.min(blockGroups, groups - g0)
                            for tile in firstTile..<endTile {
                                let aTile = a.value + tile * rows * depth + 4 * g0
                                let bSlice = b + g0 * 4 * columns
                                let cTile = sums + (tile - firstTile) * tileInts
                                switch kernel {
                                case .avx512VNNI:
                                    VNNIKernels.int8MicroKernel(count, aTile, depth, bSlice, cTile, columns, g0 > 0)
                                case .avxVNNI:
                                    AVXVNNIKernels.int8MicroKernel(count, aTile, depth, bSlice, cTile, columns, g0 > 0)
                                case .portable:
                                    portableMicroKernel(count, aTile, depth, bSlice, cTile, columns, g0 > 0)
                                }
                            }
                            g0 += count
                        }
                        if groups == 0 { sums.initialize(repeating: 0, count: (endTile - firstTile) * tileInts) }
                        for tile in firstTile..<endTile {
                            epilogue.value(tile, panel, sums + (tile - firstTile) * tileInts)
                        }
                    }
                }
            }
        }
    }

    /// Groups of 4 k per K block: 64 groups = 256 k, a 16 KB slice of a 64-column panel.
    static let kBlockGroups = 64

    /// The portable micro-kernel: the same int32 sums as `VNNIKernels.int8MicroKernel`
    /// in plain Swift (any CPU, arm64 included); `accumulate` adds to C instead of
    /// overwriting it.
    static func portableMicroKernel(
        _ groups: Int, _ a: UnsafePointer<UInt8>, _ aRowStride: Int,
        _ b: UnsafePointer<Int8>, _ c: UnsafeMutablePointer<Int32>, _ cRowStride: Int, _ accumulate: Bool
    ) {
        for r in 0..<rows {
            let aRow = a + r * aRowStride, cRow = c + r * cRowStride
            if !accumulate { for lane in 0..<columns { cRow[lane] = 0 } }
            for g in 0..<groups {
                let bGroup = b + g * 4 * columns
                let x0 = Int32(aRow[4 * g]), x1 = Int32(aRow[4 * g + 1])
                let x2 = Int32(aRow[4 * g + 2]), x3 = Int32(aRow[4 * g + 3])
                for lane in 0..<columns {
                    let w = bGroup + 4 * lane
                    cRow[lane] &+= x0 * Int32(w[0]) &+ x1 * Int32(w[1]) &+ x2 * Int32(w[2]) &+ x3 * Int32(w[3])
                }
            }
        }
    }
}
