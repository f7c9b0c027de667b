/// Loops over the elements of strided (possibly non-contiguous, possibly broadcast)
/// layouts, shared by every kernel's generic fallback path.
///
/// A layout is a shape plus one stride vector per operand (the output and each input,
/// with stride 0 on broadcast axes). `StridedLoop` first merges axes that are
/// contiguous for every operand and drops axes of extent 1, so the common views
/// (a slice of rows, a transposed matrix) become one or two long axes, then walks
/// "rows": everything but the innermost axis is enumerated with an odometer, and the
/// kernel runs a tight loop over the innermost axis with its per-operand strides.
struct StridedLoop {
    /// Extents after merging; never empty (a scalar becomes `[1]`).
    let shape: [Int]
    /// `strides[operand][axis]`, after merging.
    let strides: [[Int]]

    /// Number of operands.
    var operandCount: Int { strides.count }
    /// Length of the innermost axis.
    var innerCount: Int { shape[shape.count - 1] }
    /// Stride of each operand along the innermost axis.
    func innerStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }
    /// Number of rows (product of all extents but the innermost).
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// Merges axes for a layout `shape` with per-operand `strides`.
    init(shape: [Int], strides operandStrides: [[Int]]) {
        var mergedShape: [Int] = []
        var merged: [[Int]] = Array(repeating: [], count: operandStrides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = mergedShape.last,
               operandStrides.indices.allSatisfy({ merged[$0].last! == operandStrides[$0][axis] * shape[axis] }) {
                // The previous axis steps exactly over this one for every operand: fold it in.
                mergedShape[mergedShape.count - 1] = last * shape[axis]
                for op in operandStrides.indices { merged[op][merged[op].count - 1] = operandStrides[op][axis] }
            } else {
                mergedShape.append(shape[axis])
                for op in operandStrides.indices { merged[op].append(operandStrides[op][axis]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            merged = merged.map { _ in [0] }
        }
        self.shape = mergedShape
        self.strides = merged
    }

    /// Calls `body(offsets)` for each row in `rows`, where `offsets[op]` is the storage
    /// index (relative to `bases[op]`) of the row's first element for operand `op`.
    func forEachRow(_ rows: Range<Int>, bases: [Int], _ body: ([Int]) -> Void) {
        let outerRank = shape.count - 1
        if outerRank == 0 {
            if !rows.isEmpty { body(bases) }
            return
        }
        // Decompose the first row index into per-axis indices.
        var index = [Int](repeating: 0, count: outerRank)
        var remainder = rows.lowerBound
        for axis in stride(from: outerRank - 1, through: 0, by: -1) {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        var offsets = bases
        for op in 0..<operandCount {
            for axis in 0..<outerRank { offsets[op] += index[axis] * strides[op][axis] }
        }
        for _ in rows {
            body(offsets)
            // Advance the odometer by one row.
            var axis = outerRank - 1
            while axis >= 0 {
                index[axis] += 1
                for op in 0..<operandCount { offsets[op] += strides[op][axis] }
                if index[axis] < shape[axis] { break }
                for op in 0..<operandCount { offsets[op] -= strides[op][axis] * shape[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// Runs `forEachRow` over all rows, in parallel when there is enough work.
    /// `grain` is in elements.
    func parallelRows(bases: [Int], grain: Int, _ body: ([Int]) -> Void) {
        let rowGrain = Swift.max(1, grain / Swift.max(innerCount, 1))
        parallelFor(rowCount, grain: rowGrain) { rows in
            forEachRow(rows, bases: bases, body)
        }
    }
}

/// Copies any strided layout into dense row-major memory.
///
/// Copying only moves bits, so the work is done on unsigned integers of the element's
/// size: one concrete (fast) loop per size rather than one per scalar type.
enum StridedCopy {
    static func copy<Scalar: TensorScalar>(from source: Tensor<Scalar>, into destination: UnsafeMutablePointer<Scalar>) {
        let count = source.count
        if count == 0 { return }
        let base = UnsafeMutableRawPointer(source.storage.base)
        let out = UnsafeMutableRawPointer(destination)
        if source.isContiguous {
            let bytes = count * MemoryLayout<Scalar>.stride
            let from = base + source.offset * MemoryLayout<Scalar>.stride
            parallelFor(bytes, grain: Grain.cheap * 8) { range in
                (out + range.lowerBound).copyMemory(from: from + range.lowerBound, byteCount: range.count)
            }
            return
        }
        let loop = StridedLoop(shape: source.shape,
                               strides: [Tensor<Scalar>.contiguousStrides(for: source.shape), source.strides])
        switch MemoryLayout<Scalar>.stride {
        case 1: run(loop, UInt8.self, base, out, source.offset)
        case 2: run(loop, UInt16.self, base, out, source.offset)
        case 4: run(loop, UInt32.self, base, out, source.offset)
        case 8: run(loop, UInt64.self, base, out, source.offset)
        default: preconditionFailure("unsupported element size \(MemoryLayout<Scalar>.stride)")
        }
    }

    private static func run<Bits: FixedWidthInteger>(
        _ loop: StridedLoop, _: Bits.Type, _ source: UnsafeMutableRawPointer,
        _ destination: UnsafeMutableRawPointer, _ sourceOffset: Int
    ) {
        let src = source.assumingMemoryBound(to: Bits.self)
        let dst = destination.assumingMemoryBound(to: Bits.self)
        let n = loop.innerCount
        let dstStride = loop.innerStride(0), srcStride = loop.innerStride(1)
        loop.parallelRows(bases: [0, sourceOffset], grain: Grain.cheap) { offsets in
            let d = dst + offsets[0], s = src + offsets[1]
            if srcStride == 1 {
                d.update(from: s, count: n)
            } else {
                for i in 0..<n { d[i * dstStride] = s[i * srcStride] }
            }
        }
    }
}
