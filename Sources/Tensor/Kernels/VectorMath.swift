import Foundation

/// Vectorised transcendental functions on `SIMD16<Float>`.
///
/// Foundation's `exp` and `erf` are scalar libm calls per element; softmax, sigmoid, SiLU
/// and exact GELU spend most of their time there, so both get vector implementations
/// here. Functions without one (tanh, log) apply the libm function per lane.
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
        let (exponential, n) = reduced(v)
        var y = exponential
        // 2ⁿ = 2^n1 · 2^n2 with both halves normal numbers for n in [−151, 129].
        let n1 = (n * 0.5).rounded(.down)
        let n2 = n - n1
        y *= powerOfTwo(n1)
        y *= powerOfTwo(n2)
        return y.replacing(with: x, where: isNaN)
    }

    /// eˣ for lanes x ≤ 0 (softmax's `s − max`, erf's e^(−a²)): `exp`'s reduction and polynomial, so the
    /// same values wherever the result is a normal number (x ≥ −87.33); below that it
    /// returns 0 instead of a subnormal (−∞ → 0), and NaN in → NaN out. About a third
    /// fewer operations than `exp`: no clamps and one exponent-field multiply (2ⁿ with
    /// n ≥ −126 is normal). Lanes with x > 0 must not occur.
    @inline(__always)
    static func expNonPositive(_ x: Vector) -> Vector {
        // Lanes below −87.33 (e^x under the smallest normal float, or −∞) compute garbage
        // (2ⁿ with n < −126 wraps in the exponent field) and are replaced by 0 at the end.
        let tiny = x .< -87.33654
        let (y, n) = reduced(x)
        return (y * powerOfTwo(n)).replacing(with: 0, where: tiny)
    }

    /// The core of `exp` and `expNonPositive` (Cephes' `expf`): x = n·ln2 + r with ln2
    /// split in two parts (Cody–Waite) so r is exact, and eʳ by a degree-6 polynomial on
    /// |r| ≤ ln2/2. Returns (eʳ, n); eˣ = eʳ · 2ⁿ is left to the caller.
    @inline(__always)
    static func reduced(_ x: Vector) -> (exponential: Vector, n: Vector) {
        let n = (x * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = x.addingProduct(n, Vector(repeating: -0.693359375))
        r = r.addingProduct(n, Vector(repeating: 2.12194440e-4))
        // Horner with fused multiply-adds: p(r) = c0 + r(c1 + r(c2 + …)).
        var p = Vector(repeating: 1.9875691500e-4)
        p = Vector(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = Vector(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = Vector(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = Vector(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = Vector(repeating: 5.0000001201e-1).addingProduct(p, r)
        // eʳ ≈ 1 + r + r²·p(r)
        return (r.addingProduct(p, r * r) + 1, n)
    }

    /// erf(x) for every lane, within 2.3 ulp of the correctly rounded result (checked
    /// over 200 000 points by `Scripts/fit_erf.py`, which fits the coefficients):
    /// - |x| < 0.875: x·P(x²), degree 7 in x²;
    /// - 0.875 ≤ |x| < 4: 1 − e^(−x²)·Q(|x| − 2.4375), Q ≈ erfc(x)·e^(x²) of degree 14,
    ///   with x² split into hi + lo by an FMA so e^(−x²) keeps full precision;
    /// - |x| ≥ 4: ±1 (erf(3.92) already rounds to 1 in float32). NaN in → NaN out.
    @inline(__always)
    static func erf(_ x: Vector) -> Vector {
        let sign = x.bitPattern & 0x8000_0000
        let a = Vector(bitPattern: x.bitPattern & 0x7FFF_FFFF)
        // Small |x|: an odd polynomial.
        let a2 = a * a
        var p = Vector(repeating: -1.0714639756770339e-05)
        p = Vector(repeating: 0.00011566391913220286).addingProduct(p, a2)
        p = Vector(repeating: -0.0008517950191162527).addingProduct(p, a2)
        p = Vector(repeating: 0.0052229249849915504).addingProduct(p, a2)
        p = Vector(repeating: -0.026865974068641663).addingProduct(p, a2)
        p = Vector(repeating: 0.11283789575099945).addingProduct(p, a2)
        p = Vector(repeating: -0.37612637877464294).addingProduct(p, a2)
        p = Vector(repeating: 1.128379225730896).addingProduct(p, a2)
        let small = x * p
        // Larger |x|: through erfc.
        let lo = (-a2).addingProduct(a, a)                  // a·a − hi, exactly
        let e = VectorMath.expNonPositive(-a2) * (1 - lo)    // e^(−a²) to full precision (exp's bits for a < 4)
        let t = a - 2.4375
        var q = Vector(repeating: 7.276661939670248e-09)
        for c: Float in [-3.342814025586449e-08, 7.427780701618758e-08, -2.7531888235898805e-07,
                         1.2990568620807608e-06, -5.056634108768776e-06, 1.853692447184585e-05,
                         -6.737423245795071e-05, 0.0002386012056376785, -0.0008178303251042962,
                         0.002709174994379282, -0.008648036047816277, 0.02649795264005661,
                         -0.07756083458662033, 0.21555247902870178] {
            q = Vector(repeating: c).addingProduct(q, t)
        }
        var large = 1 - e * q
        large = large.replacing(with: 1, where: a .>= 4)
        large = Vector(bitPattern: large.bitPattern | sign)
        return large.replacing(with: small, where: a .< 0.875)
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
