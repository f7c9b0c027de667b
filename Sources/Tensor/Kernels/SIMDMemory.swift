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

/// `c + a · b` in every lane, as one fused multiply-add (one rounding).
///
/// Where the compiler may not use an FMA instruction (a versioned SwiftPM dependency on
/// x86-64 gets no instruction-set flags; Package.swift then defines `TENSOR_NO_FMA`),
/// `addingProduct` would become a libm `fmaf` call per lane (~0.7 GFLOP/s), so that
/// build multiplies then adds instead (two roundings: slightly different bits from
/// every FMA build, documented in Docs/Performance.md). An app whose build command
/// enables FMA for every module (`-Xcc -march=x86-64-v3`) adds `-Xswiftc -DTENSOR_FMA`.
@inline(__always)
func multiplyAdd(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
    #if TENSOR_NO_FMA && !TENSOR_FMA
    return c + a * b
    #else
    return c.addingProduct(a, b)
    #endif
}

/// The scalar form of `multiplyAdd`: `c + a · b`.
@inline(__always)
func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    #if TENSOR_NO_FMA && !TENSOR_FMA
    return c + a * b
    #else
    return c.addingProduct(a, b)
    #endif
}
