/// Where the elements of a matrix operand live: element (i, j) is at
/// `base[i * rowStride + j * columnStride]`.
///
/// Strides express transposition and leading dimensions at once: a row-major `[M, K]`
/// matrix with leading dimension `lda` is `(lda, 1)`; its transpose is `(1, lda)`.
/// Strides may be any non-negative values (0 broadcasts a row or column).
public struct MatrixLayout: Sendable, Equatable {
    /// Distance in elements between consecutive rows.
    public var rowStride: Int
    /// Distance in elements between consecutive columns.
    public var columnStride: Int

    public init(rowStride: Int, columnStride: Int) {
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    /// A dense row-major matrix with `columns` columns.
    public static func rowMajor(columns: Int) -> MatrixLayout { MatrixLayout(rowStride: columns, columnStride: 1) }

    /// The transpose of a dense row-major matrix with `columns` columns (BLAS's `T`).
    public static func transposedRowMajor(columns: Int) -> MatrixLayout {
        MatrixLayout(rowStride: 1, columnStride: columns)
    }
}

/// What to do to each element of C once its sum is complete, while the tile is still
/// in cache (saves a separate pass over C in Linear layers).
public enum GEMMEpilogue {
    /// Nothing.
    case none
    /// C[i, j] += bias[j].
    case bias(UnsafePointer<Float>)
    /// C[i, j] = GELU(C[i, j]) (exact erf form).
    case gelu
    /// C[i, j] = GELU(C[i, j] + bias[j]).
    case biasGELU(UnsafePointer<Float>)
    /// C[i, j] = residual[i, j] + scale[j] · (C[i, j] + bias[j]) (no bias term when `bias`
    /// is nil): a layer's output scaled per channel and added to the residual stream while
    /// the tile is in cache (InternViT's `x + ls1 ⊙ proj(…)`). The three roundings are
    /// those of the separate operations, so the result has the same bits as `x + y * ls`.
    /// `residual` is `[m, n]` with `residualStride` floats between rows and must not
    /// overlap C.
    case biasScaleResidual(bias: UnsafePointer<Float>?, scale: UnsafePointer<Float>,
                           residual: UnsafePointer<Float>, residualStride: Int)
}

/// Element types the B operand may be stored in. B is widened to `Float` while it is
/// packed, so bf16 / f16 weights stay resident at half the memory and the arithmetic
/// is the same fp32 micro-kernel.
protocol GEMMOperandElement {
    /// The element at `pointer[index]` as a `Float` (exact for every conforming type).
    static func widen(_ pointer: UnsafePointer<Self>, _ index: Int) -> Float
    /// `pointer[index ..< index + 8]` as `Float`s (exact), for the vectorised packing loops.
    static func widen8(_ pointer: UnsafePointer<Self>, _ index: Int) -> SIMD8<Float>
}

extension Float: GEMMOperandElement {
    @inline(__always) static func widen(_ pointer: UnsafePointer<Float>, _ index: Int) -> Float { pointer[index] }
    @inline(__always) static func widen8(_ pointer: UnsafePointer<Float>, _ index: Int) -> SIMD8<Float> {
        UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD8<Float>.self)
    }
}

extension BFloat16: GEMMOperandElement {
    @inline(__always) static func widen(_ pointer: UnsafePointer<BFloat16>, _ index: Int) -> Float {
        Float(bitPattern: UInt32(pointer[index].bitPattern) << 16)
    }
    @inline(__always) static func widen8(_ pointer: UnsafePointer<BFloat16>, _ index: Int) -> SIMD8<Float> {
        let bits = UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD8<UInt16>.self)
        return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: bits) &<< 16, to: SIMD8<Float>.self)
    }
}

extension Half: GEMMOperandElement {
    @inline(__always) static func widen(_ pointer: UnsafePointer<Half>, _ index: Int) -> Float { pointer[index].floatValue }
    @inline(__always) static func widen8(_ pointer: UnsafePointer<Half>, _ index: Int) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for i in 0..<8 { result[i] = pointer[index + i].floatValue }
        return result
    }
}
