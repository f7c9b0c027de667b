/// Element-wise mathematical functions on `Float` tensors. Each returns a new dense
/// tensor of the same shape; views are read through their strides.
extension Tensor where Scalar == Float {
    /// |x|
    public func abs() -> Tensor { unary(AbsOp.self) }
    /// x²
    public func squared() -> Tensor { unary(SquareOp.self) }
    /// eˣ (vectorised, within ~2 ulp; see `VectorMath.exp`).
    public func exp() -> Tensor { unary(ExpOp.self) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(LogOp.self) }
    /// √x, correctly rounded.
    public func sqrt() -> Tensor { unary(SqrtOp.self) }
    /// 1/√x (a rounded square root, then a division).
    public func rsqrt() -> Tensor { unary(RsqrtOp.self) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(TanhOp.self) }
    /// The error function.
    public func erf() -> Tensor { unary(ErfOp.self) }
    /// Exact GELU: 0.5·x·(1 + erf(x/√2)) (PyTorch `gelu`, transformers `"gelu"`).
    public func gelu() -> Tensor { unary(GELUOp.self) }
    /// Tanh-approximate GELU (PyTorch `gelu(approximate="tanh")`, `"gelu_new"`).
    public func geluTanh() -> Tensor { unary(GELUTanhOp.self) }
    /// 1/(1 + e⁻ˣ)
    public func sigmoid() -> Tensor { unary(SigmoidOp.self) }
    /// x·sigmoid(x)
    public func silu() -> Tensor { unary(SiLUOp.self) }
}
