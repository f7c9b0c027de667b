/// One thread's buffers for `AttentionKernel`: the packed keys and values of one head and
/// the scores, packed queries and transposed output of one block of queries.
///
/// The kernel computes each head "key-major" so that nothing is packed twice and the
/// probabilities are never packed at all:
/// ```
/// Sᵀ = scale · K · Q_blkᵀ        [Nk, blk]   A = K (packed once per head), B = Q_blkᵀ
/// Pᵀ = exp(Sᵀ − max) per column  [Nk, blk]   in place: already B's packed layout
/// Oᵀ = Vᵀ · Pᵀ                   [hd, blk]   A = Vᵀ (packed once per head), B = Pᵀ
/// O_blk = (Oᵀ)ᵀ / Σ per query    [blk, hd]   transposed into the output
/// ```
/// Every product goes through the kernel table's micro-kernel (MR × NR tiles), with the
/// keys as A's MR rows and the queries as B's NR columns. The micro-kernel writes the
/// scores of key rows `i·MR ..< (i+1)·MR` and query columns `j·NR ..< (j+1)·NR` into
/// panel j with NR floats per key, which is exactly the packed-B layout of Pᵀ for Vᵀ·Pᵀ.
///
/// Sizes for InternViT (Nk = 1025, hd = 64, AVX-512 MR × NR = 6 × 64, 64 queries a
/// block): keys 263 KB, values 270 KB, scores 263 KB, queries 16 KB, output 17 KB, so
/// one head's working set stays in Zen 4's 1 MiB L2.
struct AttentionWorkspace {
    /// Rows (MR) and columns (NR) of the micro-kernel's tile.
    let mr: Int, nr: Int
    /// Keys (Nk), the width of one head (hd), and queries per block (a multiple of NR).
    let keys: Int, headDim: Int, queryBlock: Int
    /// Key panels of MR keys (the last one zero-padded), and `keyPanels · MR`.
    let keyPanels: Int, paddedKeys: Int
    /// Panels of MR head channels of Vᵀ (the last one zero-padded).
    let valuePanels: Int

    /// K as A panels: `[keyPanels][hd][MR]`.
    let packedKeys: UnsafeMutablePointer<Float>
    /// Vᵀ as A panels: `[valuePanels][Nk][MR]`.
    let packedValues: UnsafeMutablePointer<Float>
    /// Q_blkᵀ as B panels: `[queryBlock / NR][hd][NR]`.
    let packedQueries: UnsafeMutablePointer<Float>
    /// Sᵀ, then Pᵀ (unnormalised), as B panels: `[queryBlock / NR][paddedKeys][NR]`.
    let scores: UnsafeMutablePointer<Float>
    /// Oᵀ: `[valuePanels · MR][queryBlock]`.
    let outputTransposed: UnsafeMutablePointer<Float>
    /// 1 / Σₖ exp(s − max) for each query of the block: `[queryBlock]`.
    let inverseSums: UnsafeMutablePointer<Float>
    private let storage: (pointer: UnsafeMutablePointer<Float>, bytes: Int)

    /// One head's q, k and v as stored: element (row 0, channel 0) of the head in each, and
    /// the floats between rows (channels are dense).
    struct HeadOperands {
        var q: UnsafePointer<Float>, qRowStride: Int
        var k: UnsafePointer<Float>, kRowStride: Int
        var v: UnsafePointer<Float>, vRowStride: Int
    }

    init(mr: Int, nr: Int, keys: Int, headDim: Int, queryBlock: Int) {
        precondition(queryBlock % nr == 0 && nr % vectorWidth == 0 && mr <= vectorWidth,
                     "attention block \(queryBlock) must be a multiple of NR \(nr), itself a multiple of \(vectorWidth) ≥ MR \(mr)")
        self.mr = mr
        self.nr = nr
        self.keys = keys
        self.headDim = headDim
        self.queryBlock = queryBlock
        keyPanels = (keys + mr - 1) / mr
        paddedKeys = keyPanels * mr
        valuePanels = (headDim + mr - 1) / mr
        // Each buffer starts on a 64-byte line (sizes rounded up to 16 floats), and is
        // followed by at least one vector of slack: `attendRows` loads a whole vector at
        // each group of MR floats.
        let sizes = [paddedKeys * headDim, valuePanels * keys * mr, queryBlock * headDim,
                     queryBlock * paddedKeys, valuePanels * mr * queryBlock, queryBlock]
            .map { ($0 + 15) / 16 * 16 + vectorWidth }
        // From the GEMM's pool of 64-byte aligned scratch: reused across calls, not
        // allocated and zero-filled afresh by every layer.
        storage = PackingBufferPool.acquire(floats: sizes.reduce(0, +))
        let base = storage.pointer
        var offsets = [0]
        for size in sizes { offsets.append(offsets.last! + size) }
        packedKeys = base + offsets[0]
        packedValues = base + offsets[1]
        packedQueries = base + offsets[2]
        scores = base + offsets[3]
        outputTransposed = base + offsets[4]
        inverseSums = base + offsets[5]
    }

    /// Gives the buffers back to the pool.
    func release() { PackingBufferPool.release(storage) }

    /// Packs one head's keys and values (`head.q` is not used).
    func packHead(_ head: HeadOperands) {
        let layout = MatrixLayout(rowStride: head.kRowStride, columnStride: 1)
        for panel in 0..<keyPanels {
            let i0 = panel * mr
            GEMMKernel.packAPanel(head.k, layout, i0: i0, rows: Swift.min(mr, keys - i0), mr: mr, p0: 0, kc: headDim,
                                  into: packedKeys + panel * mr * headDim)
        }
        // Vᵀ's panel d0 ..< d0 + MR is, for each key, MR consecutive channels of V's row.
        for panel in 0..<valuePanels {
            let d0 = panel * mr, channels = Swift.min(mr, headDim - d0)
            let dst = packedValues + panel * keys * mr
            for key in 0..<keys {
                let row = dst + key * mr, src = head.v + key * head.vRowStride + d0
                for r in 0..<channels { row[r] = src[r] }
                for r in channels..<mr { row[r] = 0 }
            }
        }
    }

    /// Packs queries `q0 ..< q0 + rows` (rows ≤ `queryBlock`) as Q_blkᵀ; `q` points at query
    /// 0, channel 0 of the head. Columns past `rows` in the last panel are zeros.
    func packQueries(_ q: UnsafePointer<Float>, rowStride: Int, q0: Int, rows: Int) {
        let layout = MatrixLayout(rowStride: 1, columnStride: rowStride)
        for panel in 0..<(rows + nr - 1) / nr {
            let j = panel * nr
            GEMMKernel.packBPanel(q, layout, p0: 0, kc: headDim, j0: q0 + j, columns: Swift.min(nr, rows - j), nr: nr,
                                  into: packedQueries + panel * headDim * nr)
        }
    }
}
