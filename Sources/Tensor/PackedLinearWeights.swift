/// A Linear layer's weight `[out, in]` packed once, at load, in the order the float32 GEMM
/// reads its B operand (B = Wᵀ, `[in, out]`), so that a forward does not transpose the
/// weight again on every call (issue 16: ONNX Runtime pre-packs at session creation).
///
/// Layout: K is cut into the GEMM's depth blocks (`GEMMKernel.blockSize(K, …)`, the same
/// blocks every kernel table uses), and each block into panels of `panelWidth` columns
/// (the selected kernel table's NR); a panel is `depth` groups of `panelWidth` values, one
/// per column, zero past column N:
/// ```
/// element (k, n) of B = W[n, k]  at  p0 · paddedN + (n / NR) · NR · depth + (k − p0) · NR + n % NR
/// ```
/// where `p0` is the first k of the block holding k and `depth` that block's depth: exactly
/// the packed B block the driver would build, so the product has the same bits as with the
/// unpacked weight. The values keep their stored precision (bfloat16 weights stay 2 bytes;
/// a forward widens each block contiguously instead of transposing it; float32 panels are
/// read in place). Under a kernel table of another NR (a test forcing one) the driver
/// re-packs from these panels, still with the same bits.
public struct PackedLinearWeights: Sendable {
    /// Output features (N, the columns of B).
    public let outFeatures: Int
    /// Input features (K, the depth of the product).
    public let inFeatures: Int
    /// Columns per panel: the NR of the kernel table the weight was packed for.
    let panelWidth: Int
    /// Depth of every K block but the last (`GEMMKernel.blockSize(K, limit: kc, multiple: 8)`).
    let depthBlock: Int
    /// The panels, in the weight's stored precision.
    let panels: Panels

    /// Panel storage by element type.
    enum Panels: Sendable {
        case float32(TensorStorage<Float>)
        case bfloat16(TensorStorage<BFloat16>)
        case float16(TensorStorage<Half>)
    }

    /// Packs a float32 weight `[out, in]` for the kernel table in use.
    public init(weight: Tensor<Float>) {
        self.init(weight, panelWidth: KernelDispatch.current.gemmColumns) { .float32($0) }
    }

    /// Packs a bfloat16 weight `[out, in]` (e.g. memory-mapped) for the kernel table in use;
    /// the panels stay bfloat16.
    public init(weight: Tensor<BFloat16>) {
        self.init(weight, panelWidth: KernelDispatch.current.gemmColumns) { .bfloat16($0) }
    }

    /// Packs a float16 weight `[out, in]` for the kernel table in use; the panels stay float16.
    public init(weight: Tensor<Half>) {
        self.init(weight, panelWidth: KernelDispatch.current.gemmColumns) { .float16($0) }
    }

    /// Packs `weight` `[out, in]` into panels of `panelWidth` columns (tests pack for
    /// another table's NR this way).
    init<Element: TensorScalar>(_ weight: Tensor<Element>, panelWidth: Int,
                                wrap: (TensorStorage<Element>) -> Panels) {
        precondition(weight.rank == 2, "packed linear weight must be [out, in], got \(weight.shape)")
        precondition(MemoryLayout<Element>.stride == 2 || MemoryLayout<Element>.stride == 4, "packed weights are 2 or 4 bytes")
        precondition(panelWidth > 0 && GEMMKernel.nc % panelWidth == 0, "panel width \(panelWidth) does not divide \(GEMMKernel.nc)")
        let n = weight.shape[0], k = weight.shape[1]
        outFeatures = n
        inFeatures = k
        self.panelWidth = panelWidth
        let depthBlock = GEMMKernel.blockSize(Swift.max(k, 1), limit: GEMMKernel.kc, multiple: 8)
        self.depthBlock = depthBlock
        let storage = TensorStorage<Element>(uninitializedCount: Swift.max(1, Self.paddedColumns(n, panelWidth) * k))
        let source = weight.contiguous()                                                   // [N, K]
        source.withUnsafeBufferPointer { w in
            Self.pack(w.baseAddress!, n: n, k: k, panelWidth: panelWidth, depthBlock: depthBlock, into: storage.base)
        }
        panels = wrap(storage)
    }

    /// N rounded up to whole panels.
    static func paddedColumns(_ n: Int, _ panelWidth: Int) -> Int { (n + panelWidth - 1) / panelWidth * panelWidth }

    /// The element type the panels keep.
    public var dtype: DType {
        switch panels {
        case .float32: return .float32
        case .bfloat16: return .bfloat16
        case .float16: return .float16
        }
    }

    /// Bytes held by the panels.
    public var byteCount: Int {
        Self.paddedColumns(outFeatures, panelWidth) * inFeatures * dtype.byteCount
    }

    /// The weight `[out, in]` in its stored precision (what `save` writes; the same values
    /// that were packed).
    public func unpacked() -> AnyTensor {
        switch panels {
        case .float32(let s): return .float32(unpack(s))
        case .bfloat16(let s): return .bfloat16(unpack(s))
        case .float16(let s): return .float16(unpack(s))
        }
    }

    /// The weight `[out, in]` as float32.
    public func float() -> Tensor<Float> {
        switch panels {
        case .float32(let s): return unpack(s)
        case .bfloat16(let s): return unpack(s).toFloat()
        case .float16(let s): return unpack(s).toFloat()
        }
    }

    /// Element offset of B's (k, column) in panels of `panelWidth` columns.
    @inline(__always)
    static func offset(k: Int, column: Int, n: Int, depth: Int, panelWidth: Int, depthBlock: Int) -> Int {
        let p0 = k / depthBlock * depthBlock, blockDepth = Swift.min(depthBlock, depth - p0)
        return p0 * paddedColumns(n, panelWidth) + column / panelWidth * panelWidth * blockDepth
            + (k - p0) * panelWidth + column % panelWidth
    }

    private func unpack<Element: TensorScalar>(_ storage: TensorStorage<Element>) -> Tensor<Element> {
        let n = outFeatures, k = inFeatures
        let result = TensorStorage<Element>(uninitializedCount: n * k)                     // [N, K]
        for column in 0..<n {
            for kk in 0..<k {
                result.base[column * k + kk] = storage.base[Self.offset(
                    k: kk, column: column, n: n, depth: k, panelWidth: panelWidth, depthBlock: depthBlock)]
            }
        }
        return Tensor(storage: result, shape: [n, k])
    }

    /// Eight elements as the bits of eight float lanes (2-byte elements in the low half),
    /// for `BlockTranspose`, which only moves bits.
    @inline(__always)
    private static func load8<Element>(_ pointer: UnsafePointer<Element>) -> SIMD8<Float> {
        if MemoryLayout<Element>.stride == 2 {
            let halves = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt16>.self)
            return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: halves), to: SIMD8<Float>.self)
        }
        return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores what `load8` loaded.
    @inline(__always)
    private static func store8<Element>(_ lanes: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Element>) {
        if MemoryLayout<Element>.stride == 2 {
            let halves = SIMD8<UInt16>(truncatingIfNeeded: unsafeBitCast(lanes, to: SIMD8<UInt32>.self))
            UnsafeMutableRawPointer(pointer).storeBytes(of: halves, as: SIMD8<UInt16>.self)
        } else {
            UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD8<Float>.self)
        }
    }

    /// Writes `w` (`[n, k]`, row-major) as panels; one (block, panel) per piece of work.
    private static func pack<Element: TensorScalar>(
        _ w: UnsafePointer<Element>, n: Int, k: Int, panelWidth nr: Int, depthBlock: Int,
        into dst: UnsafeMutablePointer<Element>
    ) {
        let paddedN = paddedColumns(n, nr), panelCount = paddedN / nr
        let blocks = (k + depthBlock - 1) / depthBlock
        let source = UncheckedSendable(w), destination = UncheckedSendable(dst)
        parallelFor(blocks * panelCount, grain: 8) { items in
            for item in items {
                let block = item / panelCount, panel = item % panelCount
                let p0 = block * depthBlock, depth = Swift.min(depthBlock, k - p0)
                let out = destination.value + p0 * paddedN + panel * nr * depth                // [depth, NR]
                // Whole groups of 8 columns: 8 × 8 blocks transposed in registers.
                var grouped = 0
                while grouped + 8 <= nr && panel * nr + grouped + 8 <= n {
                    let rows = source.value + (panel * nr + grouped) * k + p0                       // W[column.., p0...]
                    var p = 0
                    while p + 8 <= depth {
                        let t = BlockTranspose.transpose((
                            load8(rows + p), load8(rows + k + p), load8(rows + 2 * k + p), load8(rows + 3 * k + p),
                            load8(rows + 4 * k + p), load8(rows + 5 * k + p), load8(rows + 6 * k + p),
                            load8(rows + 7 * k + p)))
                        let group = out + p * nr + grouped
                        store8(t.0, group); store8(t.1, group + nr); store8(t.2, group + 2 * nr)
                        store8(t.3, group + 3 * nr); store8(t.4, group + 4 * nr); store8(t.5, group + 5 * nr)
                        store8(t.6, group + 6 * nr); store8(t.7, group + 7 * nr)
                        p += 8
                    }
                    for c in 0..<8 {
                        for q in p..<depth { out[q * nr + grouped + c] = rows[c * k + q] }
                    }
                    grouped += 8
                }
                for j in grouped..<nr {
                    let column = panel * nr + j
                    if column < n {
                        let row = source.value + column * k + p0                                 // W[column, p0...]
                        for p in 0..<depth { out[p * nr + j] = row[p] }
                    } else {
                        for p in 0..<depth { out[p * nr + j] = Element.zero }
                    }
                }
            }
        }
    }
}
