/// A small, fast, seedable random number generator (xoshiro256**, seeded through
/// SplitMix64) whose output is the same on every platform.
///
/// Used for random test inputs and random-weight models: a seed fully determines the
/// stream. Normal samples use Marsaglia's polar method with a logarithm computed here
/// from exactly-rounded operations only, so no platform's libm can change a bit.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Two independent standard normal samples (Marsaglia's polar method).
    public mutating func nextNormalPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let factor = (-2 * portableLog(s) / s).squareRoot()
            return (u * factor, v * factor)
        }
    }

    /// Fills `buffer` with N(mean, std²) samples: pairs from `nextNormalPair`, each
    /// `Float(mean + std · z)`. (A concrete loop: generic element loops called from other
    /// modules would not be specialised.)
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Double, std: Double) {
        var i = 0
        while i < buffer.count {
            let (a, b) = nextNormalPair()
            buffer[i] = Float(mean + std * a)
            if i + 1 < buffer.count { buffer[i + 1] = Float(mean + std * b) }
            i += 2
        }
    }

    /// Fills `buffer` with uniform samples `Float(low + (high − low) · u)`, u in [0, 1).
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Double, high: Double) {
        let width = high - low
        for i in 0..<buffer.count { buffer[i] = Float(low + width * nextUnitDouble()) }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Natural logarithm of a positive finite `Double`, from +, −, ×, ÷ only (each exactly
/// rounded by IEEE 754), so the result is identical on every platform. Accurate to a
/// few ulp: x = m·2ᵉ with m in [√½, √2), log m = 2·atanh((m−1)/(m+1)) by its series.
func portableLog(_ x: Double) -> Double {
    precondition(x > 0 && x.isFinite, "portableLog needs a positive finite value")
    var m = x.significand          // [1, 2)
    var e = Double(x.exponent)
    if m > 1.4142135623730951 {
        m /= 2
        e += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var term = s
    var sum = 0.0
    var k = 1.0
    while k < 40 {
        sum += term / k
        term *= s2
        k += 2
    }
    return 2 * sum + e * 0.6931471805599453
}
