import Foundation

/// Vectorised transcendental functions on `SIMD16<Float>`.
///
/// Foundation's `exp` is a scalar libm call per element; softmax, sigmoid and SiLU spend
/// most of their time there, so `exp` gets a vector implementation here. Functions
/// without one (erf, tanh, log) apply the libm function per lane.
enum VectorMath {
    /// eˣ for every lane, within about 2 ulp of the correctly rounded result, with
    /// IEEE behaviour at the edges: +∞ above ~88.72, gradual underflow to subnormals
    /// and 0 below ~−87.3, NaN in → NaN out.
    ///
    /// Cephes' `expf`: x = n·ln2 + r with ln2 split in two parts (Cody–Waite) so r is
    /// exact, eʳ by a degree-6 polynomial on |r| ≤ ln2/2, then 2ⁿ is applied as two
    /// exponent-field multiplies so both overflow and subnormal results come out right.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let isNaN = x .!= x
        var v = x.replacing(with: 0, where: isNaN)
        v = v.replacing(with: 89, where: v .> 89)
        v = v.replacing(with: -104, where: v .< -104)
        let n = (v * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = v.addingProduct(n, Vector(repeating: -0.693359375))
        r = r.addingProduct(n, Vector(repeating: 2.12194440e-4))
        // Horner with fused multiply-adds: p(r) = c0 + r(c1 + r(c2 + …)).
        var p = Vector(repeating: 1.9875691500e-4)
        p = Vector(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = Vector(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = Vector(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = Vector(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = Vector(repeating: 5.0000001201e-1).addingProduct(p, r)
        // eʳ ≈ 1 + r + r²·p(r)
        var y = r.addingProduct(p, r * r) + 1
        // 2ⁿ = 2^n1 · 2^n2 with both halves normal numbers for n in [−151, 129].
        let n1 = (n * 0.5).rounded(.down)
        let n2 = n - n1
        y *= powerOfTwo(n1)
        y *= powerOfTwo(n2)
        return y.replacing(with: x, where: isNaN)
    }

    /// 2ᵏ for integer-valued lanes k in [−126, 127], built in the exponent field.
    /// (k + 1.5·2²³ puts k in the low mantissa bits without a float→int conversion.)
    @inline(__always)
    static func powerOfTwo(_ k: Vector) -> Vector {
        let magic = k + 12_582_912  // 1.5 · 2²³
        let bits = (magic.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return Vector(bitPattern: bits)
    }
}

extension SIMD16 where Scalar == Float {
    /// The lanes reinterpreted as `UInt32` bit patterns.
    @inline(__always)
    var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }

    /// Lanes built from `UInt32` bit patterns.
    @inline(__always)
    init(bitPattern: SIMD16<UInt32>) { self = unsafeBitCast(bitPattern, to: SIMD16<Float>.self) }
}
