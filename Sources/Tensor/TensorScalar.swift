/// A type that can be stored in a `Tensor`.
///
/// Every scalar knows its `DType` and its zero, and converts to and from `Float` so
/// that generic code (printing, comparisons, conversions) can work on any tensor.
/// Integer conversions from `Float` truncate toward zero and clamp to the type's range
/// (NaN becomes 0), so converting never traps.
public protocol TensorScalar: Sendable, Equatable {
    /// The storage type tag.
    static var dtype: DType { get }
    /// The additive identity.
    static var zero: Self { get }
    /// The multiplicative identity.
    static var one: Self { get }
    /// Converts from `Float` (rounding to nearest for floating types).
    init(floatValue: Float)
    /// The value as a `Float` (exact for every type but large integers and `Double`).
    var floatValue: Float { get }
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    public static var one: Float { 1 }
    @inlinable public init(floatValue: Float) { self = floatValue }
    @inlinable public var floatValue: Float { self }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    public static var one: Double { 1 }
    @inlinable public init(floatValue: Float) { self = Double(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension BFloat16: TensorScalar {
    public static var dtype: DType { .bfloat16 }
    public static var zero: BFloat16 { BFloat16(bitPattern: 0) }
    public static var one: BFloat16 { BFloat16(bitPattern: 0x3F80) }
    @inlinable public init(floatValue: Float) { self.init(floatValue) }
}

/// Converts a `Float` to an integer type the way a cast in C would, but never traps:
/// truncation toward zero, clamped to the type's range, NaN → 0.
@inlinable
func clampingIntegerConversion<I: FixedWidthInteger>(_ value: Float) -> I {
    if value.isNaN { return 0 }
    if value <= Float(I.min) { return I.min }
    if value >= Float(I.max) { return I.max }
    return I(value.rounded(.towardZero))
}

extension Int64: TensorScalar {
    public static var dtype: DType { .int64 }
    public static var one: Int64 { 1 }
    @inlinable public init(floatValue: Float) { self = clampingIntegerConversion(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension Int32: TensorScalar {
    public static var dtype: DType { .int32 }
    public static var one: Int32 { 1 }
    @inlinable public init(floatValue: Float) { self = clampingIntegerConversion(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension Int16: TensorScalar {
    public static var dtype: DType { .int16 }
    public static var one: Int16 { 1 }
    @inlinable public init(floatValue: Float) { self = clampingIntegerConversion(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension Int8: TensorScalar {
    public static var dtype: DType { .int8 }
    public static var one: Int8 { 1 }
    @inlinable public init(floatValue: Float) { self = clampingIntegerConversion(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension UInt8: TensorScalar {
    public static var dtype: DType { .uint8 }
    public static var one: UInt8 { 1 }
    @inlinable public init(floatValue: Float) { self = clampingIntegerConversion(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}

extension Bool: TensorScalar {
    public static var dtype: DType { .bool }
    public static var zero: Bool { false }
    public static var one: Bool { true }
    /// Non-zero (and NaN, as in PyTorch's `bool()` cast) is `true`.
    @inlinable public init(floatValue: Float) { self = floatValue != 0 }
    @inlinable public var floatValue: Float { self ? 1 : 0 }
}
