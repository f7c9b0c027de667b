/// Element-wise arithmetic on `Float` tensors with numpy broadcasting.
///
/// Half-precision and integer tensors convert with `toFloat()` first: all arithmetic
/// is done in single precision, which is also what PyTorch's CPU kernels accumulate in.
extension Tensor where Scalar == Float {
    /// `Op` over two broadcast operands into a new dense tensor.
    static func binary<Op: BinaryFloatOp>(_ op: Op.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcasting.shape(a.shape, b.shape)
        let storage = TensorStorage<Float>(uninitializedCount: elementCount(shape))
        ElementwiseKernels.binary(op, a, b, shape: shape, into: storage.base)
        return Tensor(storage: storage, shape: shape)
    }

    /// `self = Op(self, other)` in place; `other` must broadcast to `self.shape`.
    mutating func applyInPlace<Op: BinaryFloatOp>(_ op: Op.Type, _ other: Tensor) {
        let shape = Broadcasting.shape(self.shape, other.shape)
        precondition(shape == self.shape,
                     "in-place operand of shape \(other.shape) does not broadcast to \(self.shape)")
        makeUniqueContiguous()
        ElementwiseKernels.binary(op, self, other, shape: shape, into: storage.base + offset)
    }

    /// `Op` on every element into a new dense tensor.
    func unary<Op: UnaryFloatOp>(_ op: Op.Type) -> Tensor {
        let result = TensorStorage<Float>(uninitializedCount: count)
        ElementwiseKernels.unary(op, self, into: result.base)
        return Tensor(storage: result, shape: shape)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(AddOp.self, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(SubtractOp.self, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(MultiplyOp.self, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(DivideOp.self, a, b) }

    public static func + (a: Tensor, b: Float) -> Tensor { binary(AddOp.self, a, Tensor(scalar: b)) }
    public static func - (a: Tensor, b: Float) -> Tensor { binary(SubtractOp.self, a, Tensor(scalar: b)) }
    public static func * (a: Tensor, b: Float) -> Tensor { binary(MultiplyOp.self, a, Tensor(scalar: b)) }
    public static func / (a: Tensor, b: Float) -> Tensor { binary(DivideOp.self, a, Tensor(scalar: b)) }

    public static func + (a: Float, b: Tensor) -> Tensor { binary(AddOp.self, Tensor(scalar: a), b) }
    public static func - (a: Float, b: Tensor) -> Tensor { binary(SubtractOp.self, Tensor(scalar: a), b) }
    public static func * (a: Float, b: Tensor) -> Tensor { binary(MultiplyOp.self, Tensor(scalar: a), b) }
    public static func / (a: Float, b: Tensor) -> Tensor { binary(DivideOp.self, Tensor(scalar: a), b) }

    public static prefix func - (x: Tensor) -> Tensor { x.unary(NegateOp.self) }

    public static func += (a: inout Tensor, b: Tensor) { a.applyInPlace(AddOp.self, b) }
    public static func -= (a: inout Tensor, b: Tensor) { a.applyInPlace(SubtractOp.self, b) }
    public static func *= (a: inout Tensor, b: Tensor) { a.applyInPlace(MultiplyOp.self, b) }
    public static func /= (a: inout Tensor, b: Tensor) { a.applyInPlace(DivideOp.self, b) }

    public static func += (a: inout Tensor, b: Float) { a.applyInPlace(AddOp.self, Tensor(scalar: b)) }
    public static func -= (a: inout Tensor, b: Float) { a.applyInPlace(SubtractOp.self, Tensor(scalar: b)) }
    public static func *= (a: inout Tensor, b: Float) { a.applyInPlace(MultiplyOp.self, Tensor(scalar: b)) }
    public static func /= (a: inout Tensor, b: Float) { a.applyInPlace(DivideOp.self, Tensor(scalar: b)) }

    /// Element-wise maximum with broadcasting (NaN wins, as in `numpy.maximum`).
    public func maximum(_ other: Tensor) -> Tensor { Tensor.binary(MaximumOp.self, self, other) }
    /// Element-wise minimum with broadcasting (NaN wins, as in `numpy.minimum`).
    public func minimum(_ other: Tensor) -> Tensor { Tensor.binary(MinimumOp.self, self, other) }
    /// Every element clamped to `[low, high]` (NaN stays NaN).
    public func clamped(_ low: Float, _ high: Float) -> Tensor {
        maximum(Tensor(scalar: low)).minimum(Tensor(scalar: high))
    }
}
