// The one place that decides whether the standard library's `Float16` exists.
//
// `Float16` is unavailable on Intel macOS (and Mac Catalyst on Intel). Everything else
// in the package names the IEEE binary16 type `Half` and never writes `#if` for it:
// - where `Float16` exists, `Half` *is* `Float16` (hardware conversions);
// - elsewhere, `Half` is `SoftFloat16`, the same 16 bits converted in software, so
//   float16 checkpoints, `.npy` files and weights still load and run.
// Building with `-Xswiftc -DTENSOR_NO_FLOAT16` takes the second branch on any platform
// (CI does this on Linux to prove the Intel-macOS build compiles), and inside this
// module also makes a stray `Float16` a compile error.

#if TENSOR_NO_FLOAT16 || ((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
/// IEEE-754 binary16. On this platform `Float16` is unavailable, so it is `SoftFloat16`.
public typealias Half = SoftFloat16

extension SoftFloat16: TensorScalar {
    public static var dtype: DType { .float16 }
    public static var zero: SoftFloat16 { SoftFloat16(bitPattern: 0) }
    public static var one: SoftFloat16 { SoftFloat16(bitPattern: 0x3C00) }
    @inlinable public init(floatValue: Float) { self.init(floatValue) }
}

#if TENSOR_NO_FLOAT16
@available(*, unavailable, message: "Float16 is compiled out (TENSOR_NO_FLOAT16 simulates Intel macOS): use Half")
public typealias Float16 = Swift.Float16
#endif

#else
/// IEEE-754 binary16: the standard library's `Float16` on this platform.
public typealias Half = Float16

extension Float16: TensorScalar {
    public static var dtype: DType { .float16 }
    public static var one: Float16 { 1 }
    @inlinable public init(floatValue: Float) { self = Float16(floatValue) }
    @inlinable public var floatValue: Float { Float(self) }
}
#endif

/// IEEE-754 binary16 (1 sign bit, 5 exponent bits, 10 mantissa bits) kept as its bits
/// and converted in software: `Half` on platforms without `Float16`.
///
/// Conversion from `Float` rounds to nearest, ties to even, like the hardware
/// conversion and `numpy.float16`: values past the largest finite half (65504) round to
/// infinity, tiny values to subnormals or signed zero, and a NaN stays a NaN (quiet,
/// keeping the top payload bits). Widening to `Float` is exact (a NaN widens to a quiet NaN).
@frozen
public struct SoftFloat16: Sendable, Hashable {
    /// The 16 stored bits.
    public var bitPattern: UInt16

    /// Creates a value from its 16-bit representation.
    @inlinable
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a `Float` to the nearest binary16 value (ties to even).
    @inlinable
    public init(_ value: Float) {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            // Infinity, or NaN made quiet with the top 9 payload bits kept.
            let payload: UInt16 = mantissa == 0 ? 0 : 0x200 | UInt16(truncatingIfNeeded: mantissa >> 13)
            bitPattern = sign | 0x7C00 | payload
            return
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F {
            bitPattern = sign | 0x7C00
            return
        }
        // The significand to keep and the bits rounded away.
        let kept: UInt32, dropped: UInt32, halfway: UInt32
        if halfExponent > 0 {
            kept = UInt32(halfExponent) << 10 | mantissa >> 13
            dropped = mantissa & 0x1FFF
            halfway = 0x1000
        } else if halfExponent >= -10 {
            // Subnormal half: the implicit leading 1 becomes explicit and shifts right.
            let significand = mantissa | 0x80_0000              // 24 bits
            let shift = UInt32(14 - halfExponent)               // 14 ... 24
            kept = significand >> shift
            dropped = significand & ((1 << shift) - 1)
            halfway = 1 << (shift - 1)
        } else {
            bitPattern = sign                                   // below half the smallest subnormal
            return
        }
        // A carry out of the mantissa correctly bumps the exponent (up to infinity).
        let roundUp = dropped > halfway || (dropped == halfway && kept & 1 == 1)
        bitPattern = sign | UInt16(truncatingIfNeeded: kept + (roundUp ? 1 : 0))
    }

    /// The exact `Float` value.
    @inlinable
    public var floatValue: Float {
        let sign = UInt32(bitPattern & 0x8000) << 16
        let exponent = UInt32(bitPattern >> 10) & 0x1F
        let mantissa = UInt32(bitPattern & 0x3FF)
        if exponent == 0x1F {
            // Infinity, or NaN: widening makes a signalling NaN quiet, as the hardware does.
            let quiet: UInt32 = mantissa == 0 ? 0 : 0x40_0000
            return Float(bitPattern: sign | 0x7F80_0000 | quiet | mantissa << 13)
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }

    /// Whether this is a NaN.
    @inlinable
    public var isNaN: Bool { (bitPattern & 0x7FFF) > 0x7C00 }
}

extension SoftFloat16: ExpressibleByFloatLiteral {
    /// A literal, rounded to the nearest binary16 by way of `Float`.
    public init(floatLiteral value: Float) { self.init(value) }
}

extension SoftFloat16: CustomStringConvertible {
    /// The value printed as its `Float` value.
    public var description: String { floatValue.description }
}
