import Testing
@testable import Tensor

/// The vector transcendental kernels' internal shortcuts.
@Suite struct VectorMathTests {
    /// `erf`'s e^(−a²) (`expOfSmallNegative`) has the bits of the general `exp` on the
    /// whole range it is used for, [−16, 0] (a < 4), and beyond it down to −87: every
    /// 61st float of [−87, 0], plus both ends and −0.
    @Test func expOfSmallNegativeHasTheBitsOfExp() {
        var values: [Float] = [0, -0.0, -16, -87, -Float.leastNormalMagnitude, -Float.leastNonzeroMagnitude]
        var bits = (-Float.leastNonzeroMagnitude).bitPattern
        while Float(bitPattern: bits) >= -87 {
            values.append(Float(bitPattern: bits))
            bits += 61
        }
        #expect(values.count > 1_000_000)
        var mismatches: [Float] = []
        var index = 0
        while index + vectorWidth <= values.count {
            let x = values.withUnsafeBufferPointer { loadVector($0.baseAddress! + index) }
            let general = VectorMath.exp(x), fast = VectorMath.expOfSmallNegative(x)
            for lane in 0..<vectorWidth where general[lane].bitPattern != fast[lane].bitPattern {
                mismatches.append(x[lane])
            }
            index += vectorWidth
        }
        #expect(mismatches.isEmpty, "first differing inputs: \(mismatches.prefix(5))")
    }
}
