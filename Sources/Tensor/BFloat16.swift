/// The bfloat16 format: the upper 16 bits of an IEEE-754 `Float` (1 sign bit,
/// 8 exponent bits, 7 mantissa bits).
///
/// It is how the InternViT checkpoints store their weights. Conversion from `Float`
/// rounds to nearest, ties to even, exactly like PyTorch's `c10::BFloat16`
/// (`round_to_nearest_even`): every NaN becomes the canonical quiet NaN `0x7FC0`,
/// infinities stay infinite, values past the largest finite bfloat16 round to
/// infinity, and subnormals round like any other value. Widening to `Float` is
/// exact (a 16-bit shift).
@frozen
public struct BFloat16: Sendable, Hashable {
    /// The 16 stored bits.
    public var bitPattern: UInt16

    /// Creates a value from its 16-bit representation.
    @inlinable
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a `Float` to the nearest bfloat16 (ties to even), as PyTorch does.
    @inlinable
    public init(_ value: Float) {
        if value.isNaN {
            bitPattern = 0x7FC0
            return
        }
        let bits = value.bitPattern
        let lsb = (bits >> 16) & 1
        let roundingBias: UInt32 = 0x7FFF &+ lsb
        bitPattern = UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// Creates a value from a `Double` by way of `Float` (as `torch.tensor(x).bfloat16()` does).
    @inlinable
    public init(_ value: Double) { self.init(Float(value)) }

    /// The exact `Float` value.
    @inlinable
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    /// Whether this is a NaN.
    @inlinable
    public var isNaN: Bool { (bitPattern & 0x7FFF) > 0x7F80 }
}

extension BFloat16: CustomStringConvertible {
    /// The value printed as its `Float` value.
    public var description: String { floatValue.description }
}

extension Float {
    /// Widens a bfloat16 value exactly.
    @inlinable
    public init(_ value: BFloat16) { self = value.floatValue }
}
