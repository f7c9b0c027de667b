import Testing
@testable import Tensor

/// The vector transcendental kernels' internal shortcuts.
@Suite struct VectorMathTests {
    /// `expNonPositive` (softmax's and erf's e^x for x ≤ 0) has the bits of the general
    /// `exp` wherever the result is a normal number: every 61st float of [−87, 0], plus
    /// both ends and −0; below −87.34 it gives 0, and NaN stays NaN.
    @Test func expNonPositiveHasTheBitsOfExp() {
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
            let general = VectorMath.exp(x), fast = VectorMath.expNonPositive(x)
            for lane in 0..<vectorWidth where general[lane].bitPattern != fast[lane].bitPattern {
                mismatches.append(x[lane])
            }
            index += vectorWidth
        }
        #expect(mismatches.isEmpty, "first differing inputs: \(mismatches.prefix(5))")
        var edges = Vector(repeating: -88)
        edges[1] = -.infinity
        edges[2] = .nan
        edges[3] = -1000
        let atEdges = VectorMath.expNonPositive(edges)
        #expect(atEdges[0] == 0 && atEdges[1] == 0 && atEdges[3] == 0 && atEdges[2].isNaN)
    }
}
