import Foundation

/// An element-wise binary operation on `Float`, in scalar and 16-lane form.
/// The two forms must agree bit for bit (they use the same IEEE operation).
protocol BinaryFloatOp {
    static func apply(_ a: Float, _ b: Float) -> Float
    static func apply(_ a: Vector, _ b: Vector) -> Vector
}

/// An element-wise unary operation on `Float`, in scalar and 16-lane form.
protocol UnaryFloatOp {
    static func apply(_ x: Float) -> Float
    static func apply(_ x: Vector) -> Vector
    /// Elements per piece of parallel work (see `Grain`).
    static var grain: Int { get }
}

extension UnaryFloatOp {
    static var grain: Int { Grain.cheap }
}

enum AddOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector { a + b }
}
enum SubtractOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector { a - b }
}
enum MultiplyOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector { a * b }
}
enum DivideOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector { a / b }
}
/// numpy's `maximum`: NaN if either operand is NaN.
enum MaximumOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float {
        a.isNaN || b.isNaN ? .nan : (a > b ? a : b)
    }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector {
        let larger = a.replacing(with: b, where: b .> a)
        return larger.replacing(with: .nan, where: (a .!= a) .| (b .!= b))
    }
}
/// numpy's `minimum`: NaN if either operand is NaN.
enum MinimumOp: BinaryFloatOp {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float {
        a.isNaN || b.isNaN ? .nan : (a < b ? a : b)
    }
    @inline(__always) static func apply(_ a: Vector, _ b: Vector) -> Vector {
        let smaller = a.replacing(with: b, where: b .< a)
        return smaller.replacing(with: .nan, where: (a .!= a) .| (b .!= b))
    }
}

/// Applies a scalar function to each lane: for functions with no vector form here.
@inline(__always)
func eachLane(_ x: Vector, _ f: (Float) -> Float) -> Vector {
    var result = Vector()
    for lane in 0..<vectorWidth { result[lane] = f(x[lane]) }
    return result
}

enum NegateOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { -x }
    @inline(__always) static func apply(_ x: Vector) -> Vector { -x }
}
enum AbsOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) static func apply(_ x: Vector) -> Vector {
        Vector(bitPattern: x.bitPattern & 0x7FFF_FFFF)
    }
}
enum SquareOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { x * x }
    @inline(__always) static func apply(_ x: Vector) -> Vector { x * x }
}
enum SqrtOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func apply(_ x: Vector) -> Vector { x.squareRoot() }
}
/// 1/√x, computed as a correctly rounded square root then a division (as PyTorch's CPU
/// `rsqrt` does), not the hardware approximation.
enum RsqrtOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { 1 / x.squareRoot() }
    @inline(__always) static func apply(_ x: Vector) -> Vector { 1 / x.squareRoot() }
}
enum ExpOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { VectorMath.exp(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector { VectorMath.exp(x) }
    static var grain: Int { Grain.transcendental }
}
enum LogOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func apply(_ x: Vector) -> Vector { eachLane(x) { Foundation.log($0) } }
    static var grain: Int { Grain.transcendental }
}
enum TanhOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) static func apply(_ x: Vector) -> Vector { eachLane(x) { Foundation.tanh($0) } }
    static var grain: Int { Grain.transcendental }
}
/// erf, vectorised (≤ 2.3 ulp; see `VectorMath.erf`).
enum ErfOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { VectorMath.erf(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector { VectorMath.erf(x) }
    static var grain: Int { Grain.transcendental }
}
/// Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as PyTorch's `gelu(approximate="none")`.
enum GELUOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { apply(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector {
        x * 0.5 * (1 + VectorMath.erf(x * 0.70710678118654752440))
    }
    static var grain: Int { Grain.transcendental }
}
/// Tanh-approximate GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as PyTorch's
/// `gelu(approximate="tanh")`.
///
/// Computed as x·sigmoid(2u) = x / (1 + e^(−2u)), u = √(2/π)(x + 0.044715x³), the same
/// function without the cancellation of 1 + tanh(u) for negative x, on the vector `exp`
/// (no libm call per lane). ±∞ and NaN give what PyTorch's formula gives.
enum GELUTanhOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { apply(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector {
        let u = 0.79788456080286535588 * x.addingProduct(0.044715 * x * x, x)        // √(2/π)(x + 0.044715x³)
        return x / (1 + VectorMath.exp(-2 * u))
    }
    static var grain: Int { Grain.transcendental }
}
/// The logistic function 1/(1 + e⁻ˣ).
enum SigmoidOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { apply(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector { 1 / (1 + VectorMath.exp(-x)) }
    static var grain: Int { Grain.transcendental }
}
/// SiLU (swish), x·sigmoid(x) = x/(1 + e⁻ˣ).
enum SiLUOp: UnaryFloatOp {
    @inline(__always) static func apply(_ x: Float) -> Float { apply(Vector(repeating: x))[0] }
    @inline(__always) static func apply(_ x: Vector) -> Vector { x / (1 + VectorMath.exp(-x)) }
    static var grain: Int { Grain.transcendental }
}
