import Testing
import Tensor

/// Reductions against numpy (computed in float64, rounded to float32).
@Suite struct ReductionTests {
    @Test(arguments: Fixtures.cases("reduce"))
    func reductionMatchesNumpy(_ c: Fixtures.Case) throws {
        let x = try c.floatInput(0)
        let axis = c.int("axis"), keep = c.bool("keep")
        let n = Float(x.shape[axis])
        let expected = try c.expectedTensor()
        // Float32 summation of n terms is within (n − 1)·ε·Σ|xᵢ| of the exact sum (the
        // classical forward-error bound); the reference is the exact sum rounded once.
        let absSum = x.abs().sum(axis: axis, keepingDimension: keep).scalars
        let eps = Float.ulpOfOne
        switch c.string("name") {
        case "argmax":
            let result = x.argmax(axis: axis, keepingDimension: keep)
            #expect(result.shape == expected.shape, "\(c)")
            #expect(result.scalars == expected.tensor(as: Int32.self)?.scalars, "\(c)")
        case "max", "min":
            let result = c.string("name") == "max" ? x.max(axis: axis, keepingDimension: keep)
                : x.min(axis: axis, keepingDimension: keep)
            expectMatch(result, expected.toFloat(), "\(c)") { _, _ in 0 }
        case "sum":
            let result = x.sum(axis: axis, keepingDimension: keep)
            expectMatch(result, expected.toFloat(), "\(c)") { e, i in ulp(e) + n * eps * absSum[i] }
        case "mean":
            let result = x.mean(axis: axis, keepingDimension: keep)
            expectMatch(result, expected.toFloat(), "\(c)") { e, i in 2 * ulp(e) + eps * absSum[i] }
        case "var":
            let result = x.variance(axis: axis, correction: c.int("correction"), keepingDimension: keep)
            // Two passes: the mean's error enters squared deviations; a relative 4·n·ε
            // bound on the sum of squares covers both passes.
            expectMatch(result, expected.toFloat(), c) { e, _ in 4 * n * eps * Swift.abs(e) + ulp(e) }
        default:
            Issue.record("unknown op \(c)")
        }
    }

    @Test func allElementReductions() {
        let x = Tensor<Float>([3, -1, 4, 1, -5, 9], shape: [2, 3])
        #expect(x.sum() == 11)
        #expect(x.max() == 9)
        #expect(x.min() == -5)
        #expect(x.argmax() == 5)
        #expect(Swift.abs(x.mean() - 11.0 / 6) < 1e-6)
        // Population variance of the six values, computed by hand in Double.
        let values: [Double] = [3, -1, 4, 1, -5, 9]
        let mean = values.reduce(0, +) / 6
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
        #expect(Swift.abs(Double(x.variance()) - variance) < 1e-5)
    }

    @Test func reductionsReadViews() {
        let x = Tensor<Float>.randomNormal([6, 10], seed: 3)
        let t = x.transposed()
        let expected = t.contiguous().sum(axis: 1)
        expectMatch(t.sum(axis: 1), expected) { _, _ in 0 }
        expectMatch(x.sum(axis: 0), expected) { e, _ in 8 * ulp(e) + 1e-6 }
    }
}
