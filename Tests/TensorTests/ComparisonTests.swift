import Testing
import Tensor

/// The closeness measures the other tests rely on.
@Suite struct ComparisonTests {
    @Test func allCloseFollowsNumpy() {
        let reference = Tensor<Float>([1, 100, -3, 0])
        // |a − b| ≤ atol + rtol·|b|, with the second argument as the reference.
        #expect(Tensor<Float>([1.00001, 100.001, -3, 0]).allClose(reference, rtol: 1e-5, atol: 1e-8) == false)
        #expect(Tensor<Float>([1.00001, 100.001, -3, 0]).allClose(reference, rtol: 2e-5, atol: 1e-8))
        #expect(Tensor<Float>([1, 100, -3, 1e-9]).allClose(reference, rtol: 0, atol: 1e-8))
        #expect(!Tensor<Float>([1, 100, -3, 2e-8]).allClose(reference, rtol: 0, atol: 1e-8))
        // NaN equals NaN only on request; infinities must match exactly; broadcasting applies.
        let withNaN = Tensor<Float>([.nan, .infinity])
        #expect(!withNaN.allClose(withNaN))
        #expect(withNaN.allClose(withNaN, equalNaN: true))
        #expect(!Tensor<Float>([.nan, -.infinity]).allClose(withNaN, equalNaN: true))
        #expect(Tensor<Float>([2, 2, 2], shape: [3, 1]).allClose(Tensor<Float>(scalar: 2)))
    }

    @Test func differencesAndSimilarity() {
        let a = Tensor<Float>([3, 4]), b = Tensor<Float>([3, 0])
        #expect(a.maxAbsDifference(b) == 4)
        #expect(abs(a.cosineSimilarity(b) - 0.6) < 1e-12)
        #expect(abs(a.relativeL2Difference(b) - 4.0 / 3.0) < 1e-12)
        #expect(a.cosineSimilarity(a * 7) > 0.999999999)
        #expect(a.maxAbsDifference(Tensor<Float>([.nan, 4])).isNaN)
    }
}
