/// The GEMM with a pre-packed B (`PackedLinearWeights`): the driver's B blocks come
/// straight from the panels packed at load.
///
/// - float32 panels of the running table's NR: the micro-kernel reads them in place;
/// - bfloat16 / float16 panels of that NR: each panel is one contiguous widening copy
///   (no transpose, no strided reads), made by the thread that first multiplies with it,
///   just before (`BBlock.packedOnFirstUse`);
/// - panels of another NR (packed under another kernel table): re-packed element by
///   element into this table's panels, slowly but with the same values.
/// In every case the packed block holds the same floats as `packBPanel` would have made
/// from the unpacked weight, so the product has the same bits.
extension GEMMKernel {
    /// `C = alpha · op(A) · Wᵀ + beta · C`, then the epilogue, with `W` `[n, k]` pre-packed.
    static func run(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, _ aLayout: MatrixLayout,
        packed: PackedLinearWeights, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        epilogue: GEMMEpilogue, threads: Int, kernel: KernelTable = KernelDispatch.current
    ) {
        precondition(packed.outFeatures == n && packed.inFeatures == k,
                     "pre-packed weight [\(packed.outFeatures), \(packed.inFeatures)] used for n \(n), k \(k)")
        if m <= 0 || n <= 0 { return }
        if k <= 0 || alpha == 0 {
            scaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
            applyEpilogue(epilogue, c: c, ldc: ldc, rows: m, columns: n, i0: 0, j0: 0)
            return
        }
        precondition(packed.depthBlock == blockSize(k, limit: kc, multiple: 8), "pre-packed weight of another depth block")
        let nr = kernel.gemmColumns
        let paddedN = PackedLinearWeights.paddedColumns(n, packed.panelWidth)
        drive(m: m, n: n, k: k, alpha: alpha, a: a, aLayout, beta: beta, c: c, ldc: ldc, epilogue: epilogue,
              threads: threads, kernel: kernel) { pc, kcBlock, jc, ncBlock, buffer, threads in
            let panelsN = (ncBlock + nr - 1) / nr
            guard packed.panelWidth == nr else {
                switch packed.panels {
                case .float32(let s): repack(s.base, packed, pc: pc, kcBlock: kcBlock, jc: jc, panelsN: panelsN, nr: nr, into: buffer, threads: threads)
                case .bfloat16(let s): repack(s.base, packed, pc: pc, kcBlock: kcBlock, jc: jc, panelsN: panelsN, nr: nr, into: buffer, threads: threads)
                case .float16(let s): repack(s.base, packed, pc: pc, kcBlock: kcBlock, jc: jc, panelsN: panelsN, nr: nr, into: buffer, threads: threads)
                }
                return .packed(UnsafePointer(buffer))
            }
            // The block's panels are contiguous: panels jc / NR ..< jc / NR + panelsN of block pc.
            let start = pc * paddedN + jc * kcBlock, panelCount = nr * kcBlock
            switch packed.panels {
            case .float32(let s):
                return .packed(UnsafePointer(s.base + start))
            case .bfloat16(let s):
                let source = s.base + start
                return .packedOnFirstUse(buffer) { panel in
                    widen(source + panel * panelCount, count: panelCount, into: buffer + panel * panelCount)
                }
            case .float16(let s):
                let source = s.base + start
                return .packedOnFirstUse(buffer) { panel in
                    widen(source + panel * panelCount, count: panelCount, into: buffer + panel * panelCount)
                }
            }
        }
    }

    /// `dst[0..<count] = Float(src[0..<count])`.
    @inline(__always)
    private static func widen<Element: GEMMOperandElement>(
        _ src: UnsafePointer<Element>, count: Int, into dst: UnsafeMutablePointer<Float>
    ) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: Element.widen8(src, i), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { dst[i] = Element.widen(src, i); i += 1 }
    }

    /// Builds the block's panels of width `nr` from panels of another width.
    private static func repack<Element: GEMMOperandElement>(
        _ src: UnsafePointer<Element>, _ packed: PackedLinearWeights, pc: Int, kcBlock: Int, jc: Int, panelsN: Int,
        nr: Int, into dst: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let n = packed.outFeatures, k = packed.inFeatures
        parallelFor(panelsN, grain: 1, threads: threads) { panels in
            for panel in panels {
                let out = dst + panel * nr * kcBlock                                       // [kcBlock, NR]
                for j in 0..<nr {
                    let column = jc + panel * nr + j
                    for p in 0..<kcBlock {
                        out[p * nr + j] = column < n
                            ? Element.widen(src, PackedLinearWeights.offset(
                                k: pc + p, column: column, n: n, depth: k, panelWidth: packed.panelWidth,
                                depthBlock: packed.depthBlock))
                            : 0
                    }
                }
            }
        }
    }
}
