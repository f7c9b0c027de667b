extension Tensor {
    /// The same values as another element type: rounding to nearest (ties to even) for
    /// floating-point targets, truncation with clamping for integer targets. Float → bfloat16
    /// is bit-identical to PyTorch's `tensor.to(torch.bfloat16)`.
    public func converted<Target: TensorScalar>(to _: Target.Type) -> Tensor<Target> {
        if let same = self as? Tensor<Target> { return same }
        let source = contiguous()
        let count = source.count
        let result = TensorStorage<Target>(uninitializedCount: count)
        let src = source.storage.base + source.offset
        let dst = result.base
        // The hot conversions get concrete loops; the rest go through Float.
        if Scalar.self == BFloat16.self, Target.self == Float.self {
            let s = UnsafeMutableRawPointer(src).assumingMemoryBound(to: UInt16.self)
            let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: UInt32.self)
            parallelFor(count, grain: Grain.cheap) { range in
                for i in range { d[i] = UInt32(s[i]) << 16 }
            }
        } else if Scalar.self == Float.self, Target.self == BFloat16.self {
            // PyTorch's tensor kernel: round to nearest even, NaN → 0xFFFF (its scalar
            // `c10::BFloat16`, mirrored by `BFloat16.init`, writes 0x7FC0 instead).
            let s = UnsafeMutableRawPointer(src).assumingMemoryBound(to: Float.self)
            let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: BFloat16.self)
            parallelFor(count, grain: Grain.cheap) { range in
                for i in range { d[i] = s[i].isNaN ? BFloat16(bitPattern: 0xFFFF) : BFloat16(s[i]) }
            }
        } else {
            parallelFor(count, grain: Grain.cheap) { range in
                for i in range { dst[i] = Target(floatValue: src[i].floatValue) }
            }
        }
        return Tensor<Target>(storage: result, shape: shape)
    }

    /// The values as `Float`.
    public func toFloat() -> Tensor<Float> { converted(to: Float.self) }
}
