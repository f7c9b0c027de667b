/// Unaligned SIMD loads and stores through raw pointers: the building blocks of every
/// vectorised loop. `SIMD16<Float>` is one AVX-512 register or two AVX2 registers.
@usableFromInline typealias Vector = SIMD16<Float>

/// Number of lanes in `Vector`.
@usableFromInline let vectorWidth = 16

@inlinable @inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
}

@inlinable @inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
}

@inlinable @inline(__always)
func storeVector(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
}
