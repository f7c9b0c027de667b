/// The blocked GEMM driver (Goto / BLIS structure).
///
/// ```
/// for jc in 0..<N step NC                     B block: KC x NC, lives in L3
///   for pc in 0..<K step KC
///     pack B[pc.., jc..] into panels of NR columns          (all threads)
///     for ic in 0..<M step MC                 A block: MC x KC, lives in L2
///       pack A[ic.., pc..] into panels of MR rows           (all threads)
///       for jr in panels of NR columns        <- split across threads
///         for ir in panels of MR rows
///           micro-kernel: MR x NR tile of C in registers, kc FMA steps
/// ```
/// The micro-kernel's A panel (MR x KC) stays in L1 across the ir loop's reuse of a B
/// panel; the B panel (KC x NR) is reused by every ir step from L2. Threads share the
/// packed A and B blocks and split the jr loop, so more threads never pack more.
enum GEMMKernel {
    /// Largest depth of a packed block (k). The same in every kernel table, because K
    /// blocking decides where partial sums are rounded into C: a 6 x 512 A micro-panel is
    /// 12 KiB of the 32 KiB L1.
    static let kc = 512
    /// Largest number of columns of a packed B block (a multiple of every table's NR).
    static let nc = 4096

    /// Splits `extent` into the fewest blocks of at most `limit`, of near-equal size
    /// rounded up to a multiple of `multiple`: K = 1025 becomes 3 x 344 rather than
    /// 512 + 512 + 1, whose last one-deep block would cost a whole extra pass over C.
    static func blockSize(_ extent: Int, limit: Int, multiple: Int) -> Int {
        let blocks = (extent + limit - 1) / limit
        let even = (extent + blocks - 1) / blocks
        return Swift.min(limit, (even + multiple - 1) / multiple * multiple)
    }

    /// `C = alpha · op(A) · op(B) + beta · C`, then the epilogue, on up to `threads` threads.
    /// With beta = 0, C is only written (NaN or garbage in C does not leak into the result).
    /// `kernel` is the table of micro-kernels (the process's selection unless a test passes
    /// one); every table gives the same bits.
    static func run<Element: GEMMOperandElement>(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        b: UnsafePointer<Element>, _ bLayout: MatrixLayout,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue, threads: Int, kernel: KernelTable = KernelDispatch.current
    ) {
        if m <= 0 || n <= 0 { return }
        if k <= 0 || alpha == 0 {
            scaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
            applyEpilogue(epilogue, c: c, ldc: ldc, rows: m, columns: n, i0: 0, j0: 0)
            return
        }
        let nr = kernel.gemmColumns
        drive(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, beta: beta, c: c, ldc: ldc, epilogue: epilogue,
              threads: threads, kernel: kernel) { pc, kcBlock, jc, ncBlock, buffer, threads in
            // Pack B: one panel per piece of work.
            let panelsN = (ncBlock + nr - 1) / nr
            parallelFor(panelsN, grain: Swift.max(1, 4096 / kcBlock), threads: threads) { panels in
                for panel in panels {
                    let j0 = jc + panel * nr
                    packBPanel(b, bLayout, p0: pc, kc: kcBlock, j0: j0, columns: Swift.min(nr, n - j0),
                               nr: nr, into: buffer + panel * nr * kcBlock)
                }
            }
            return .packed(UnsafePointer(buffer))
        }
    }

    /// A packed B block as the driver receives it.
    enum BBlock {
        /// The whole block lies packed at this address.
        case packed(UnsafePointer<Float>)
        /// The block will lie at this address, but panel `p` (at `p · NR · kcBlock`) is
        /// written by `packPanel(p)` only just before its first use, in the first row block,
        /// by the thread that multiplies with it: the copy overlaps with the micro-kernels and
        /// the panel is still in cache for them (a cheap contiguous copy, e.g. widening
        /// pre-packed bf16 weights).
        case packedOnFirstUse(UnsafeMutablePointer<Float>, packPanel: (_ panel: Int) -> Void)
    }

    /// Provides the packed B block of depths `pc ..< pc + kcBlock` and columns
    /// `jc ..< jc + ncBlock` (panels of the table's NR): packs it into `buffer` (room for
    /// the whole block), or says where it already lies packed, or how to pack each panel
    /// on first use. `threads` is the budget for packing it.
    typealias BBlockProvider = (
        _ pc: Int, _ kcBlock: Int, _ jc: Int, _ ncBlock: Int, _ buffer: UnsafeMutablePointer<Float>, _ threads: Int
    ) -> BBlock

    /// The blocked loops of `run`, with B's packed blocks from `packB` (packed from strided
    /// memory, or pre-packed weights).
    static func drive(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue, threads: Int, kernel: KernelTable, packB: BBlockProvider
    ) {
        // Below ~2 MFLOP a second thread costs more to wake than it saves.
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let threads = flops < 2e6 ? 1 : threads

        let mr = kernel.gemmRows, nr = kernel.gemmColumns
        let kcLimit = blockSize(k, limit: kc, multiple: 8)
        let mcLimit = blockSize(m, limit: kernel.gemmRowBlock, multiple: mr)
        let bBlockColumns = Swift.min(nc, (n + nr - 1) / nr * nr)
        let aBlockRows = Swift.min(mcLimit, (m + mr - 1) / mr * mr)
        let packedB = PackingBufferPool.acquire(floats: kcLimit * bBlockColumns)
        let packedA = PackingBufferPool.acquire(floats: aBlockRows * kcLimit)
        defer {
            PackingBufferPool.release(packedB)
            PackingBufferPool.release(packedA)
        }
        let ap = packedA.pointer

        for jc in stride(from: 0, to: n, by: nc) {
            let ncBlock = Swift.min(nc, n - jc)
            let panelsN = (ncBlock + nr - 1) / nr
            for pc in stride(from: 0, to: k, by: kcLimit) {
                let kcBlock = Swift.min(kcLimit, k - pc)
                let blockBeta: Float = pc == 0 ? beta : 1
                let isLastK = pc + kcBlock == k
                let bp: UnsafePointer<Float>, packOnFirstUse: ((Int) -> Void)?
                switch packB(pc, kcBlock, jc, ncBlock, packedB.pointer, threads) {
                case .packed(let block): (bp, packOnFirstUse) = (block, nil)
                case .packedOnFirstUse(let block, let packPanel): (bp, packOnFirstUse) = (UnsafePointer(block), packPanel)
                }
                for ic in stride(from: 0, to: m, by: mcLimit) {
                    let mcBlock = Swift.min(mcLimit, m - ic)
                    let panelsM = (mcBlock + mr - 1) / mr
                    parallelFor(panelsM, grain: Swift.max(1, 4096 / kcBlock), threads: threads) { panels in
                        for panel in panels {
                            let i0 = ic + panel * mr
                            packAPanel(a, aLayout, i0: i0, rows: Swift.min(mr, m - i0), mr: mr, p0: pc,
                                       kc: kcBlock, into: ap + panel * mr * kcBlock)
                        }
                    }
                    // Each piece of the jr loop should be worth ≳ 50 µs (~5 MFLOP).
                    let flopsPerPanel = 2 * mcBlock * nr * kcBlock
                    let grain = Swift.max(1, 5_000_000 / Swift.max(flopsPerPanel, 1))
                    parallelFor(panelsN, grain: grain, threads: threads) { panels in
                        macroKernel(
                            kernel, panels: panels, jc: jc, ic: ic, m: m, n: n, mcBlock: mcBlock, kcBlock: kcBlock,
                            ap: ap, bp: bp, packPanel: ic == 0 ? packOnFirstUse : nil, alpha: alpha, beta: blockBeta,
                            c: c, ldc: ldc, epilogue: isLastK ? epilogue : .none)
                    }
                }
            }
        }
    }

    /// The jr / ir loops over packed blocks for B panels `panels` (each first packed by
    /// `packPanel` when given).
    private static func macroKernel(
        _ kernel: KernelTable, panels: Range<Int>, jc: Int, ic: Int, m: Int, n: Int, mcBlock: Int, kcBlock: Int,
        ap: UnsafePointer<Float>, bp: UnsafePointer<Float>, packPanel: ((Int) -> Void)?, alpha: Float, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue
    ) {
        let mr = kernel.gemmRows, nr = kernel.gemmColumns, microKernel = kernel.gemmMicroKernel
        // Scratch tile for edge tiles (allocated once per piece, not per tile).
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
        defer { scratch.deallocate() }
        let panelsM = (mcBlock + mr - 1) / mr
        for panel in panels {
            packPanel?(panel)
            let j0 = jc + panel * nr
            let columns = Swift.min(nr, n - j0)
            let bPanel = bp + panel * nr * kcBlock
            for ip in 0..<panelsM {
                let i0 = ic + ip * mr
                let rows = Swift.min(mr, m - i0)
                let aPanel = ap + ip * mr * kcBlock
                let tile = c + i0 * ldc + j0
                if rows == mr && columns == nr {
                    microKernel(kcBlock, aPanel, bPanel, tile, ldc, alpha, beta)
                } else {
                    microKernel(kcBlock, aPanel, bPanel, scratch, nr, 1, 0)
                    // The same arithmetic as a full tile's store (alpha · sum, or one
                    // multiply-add onto beta · C), so a tile's shape never changes the bits.
                    for r in 0..<rows {
                        for j in 0..<columns {
                            let sum = scratch[r * nr + j]
                            tile[r * ldc + j] = beta == 0
                                ? alpha * sum : multiplyAdd(alpha, sum, beta * tile[r * ldc + j])
                        }
                    }
                }
                applyEpilogue(epilogue, c: tile, ldc: ldc, rows: rows, columns: columns, i0: i0, j0: j0)
            }
        }
    }

    /// C = beta · C (C = 0 when beta is 0, whatever C held).
    static func scaleC(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }

    /// Applies the epilogue to a `rows` x `columns` tile whose first element is (`i0`, `j0`) of C.
    @inline(__always)
    static func applyEpilogue(
        _ epilogue: GEMMEpilogue, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, i0: Int, j0: Int
    ) {
        switch epilogue {
        case .none:
            return
        case .bias(let bias):
            for r in 0..<rows { addRow(c + r * ldc, bias + j0, columns) }
        case .gelu:
            for r in 0..<rows { geluRow(c + r * ldc, columns) }
        case .biasGELU(let bias):
            for r in 0..<rows {
                addRow(c + r * ldc, bias + j0, columns)
                geluRow(c + r * ldc, columns)
            }
        case .biasScaleResidual(let bias, let scale, let residual, let residualStride):
            for r in 0..<rows {
                scaleResidualRow(c + r * ldc, bias.map { $0 + j0 }, scale + j0,
                                 residual + (i0 + r) * residualStride + j0, columns)
            }
        }
    }

    /// row = residual + scale · (row + bias), rounding after each operation.
    @inline(__always)
    private static func scaleResidualRow(
        _ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?, _ scale: UnsafePointer<Float>,
        _ residual: UnsafePointer<Float>, _ n: Int
    ) {
        var j = 0
        while j + vectorWidth <= n {
            var y = loadVector(row + j)
            if let bias { y += loadVector(bias + j) }
            storeVector(loadVector(residual + j) + y * loadVector(scale + j), row + j)
            j += vectorWidth
        }
        while j < n {
            var y = row[j]
            if let bias { y += bias[j] }
            row[j] = residual[j] + y * scale[j]
            j += 1
        }
    }

    @inline(__always)
    private static func addRow(_ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ n: Int) {
        var j = 0
        while j + vectorWidth <= n {
            storeVector(loadVector(row + j) + loadVector(bias + j), row + j)
            j += vectorWidth
        }
        while j < n { row[j] += bias[j]; j += 1 }
    }

    @inline(__always)
    private static func geluRow(_ row: UnsafeMutablePointer<Float>, _ n: Int) {
        var j = 0
        while j + vectorWidth <= n {
            storeVector(GELUOp.apply(loadVector(row + j)), row + j)
            j += vectorWidth
        }
        while j < n { row[j] = GELUOp.apply(row[j]); j += 1 }
    }
}
