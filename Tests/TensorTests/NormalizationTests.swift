import Testing
import Tensor

/// Softmax, layer norm and RMS norm against PyTorch.
@Suite struct NormalizationTests {
    /// Softmax combines an exp (≤ 2 ulp), a sum and a reciprocal multiply: 1e-6 relative
    /// covers a few ulp of each; the absolute 1e-12 only matters for outputs near zero.
    @Test(arguments: Fixtures.cases("softmax"))
    func softmaxMatchesPyTorch(_ c: Fixtures.Case) throws {
        let result = try c.floatInput(0).softmax(axis: c.int("axis"))
        expectMatch(result, try c.expectedTensor().toFloat(), "\(c)") { e, _ in 1e-6 * Swift.abs(e) + 1e-12 }
    }

    /// Outputs are O(1); mean and rstd computed two-pass here and by PyTorch's own
    /// reduction order differ by a few ulp, scaled by |w·(x − mean)·rstd| ≲ 10: 1e-5.
    @Test(arguments: Fixtures.cases("layer_norm"))
    func layerNormMatchesPyTorch(_ c: Fixtures.Case) throws {
        let x = try c.floatInput(0)
        let affine = c.inputs.count == 3
        let result = x.layerNorm(weight: affine ? try c.floatInput(1) : nil,
                                 bias: affine ? try c.floatInput(2) : nil, epsilon: c.float("eps"))
        expectMatch(result, try c.expectedTensor().toFloat(), "\(c)") { e, _ in 1e-5 + 1e-6 * Swift.abs(e) }
    }

    @Test(arguments: Fixtures.cases("rms_norm"))
    func rmsNormMatchesPyTorch(_ c: Fixtures.Case) throws {
        let result = try c.floatInput(0).rmsNorm(weight: try c.floatInput(1), epsilon: c.float("eps"))
        expectMatch(result, try c.expectedTensor().toFloat(), "\(c)") { e, _ in 1e-5 + 1e-6 * Swift.abs(e) }
    }

    @Test func softmaxRowsSumToOneOnViews() {
        let x = Tensor<Float>.randomNormal([40, 33], std: 5, seed: 9).transposed()
        let sums = x.softmax(axis: -1).sum(axis: -1).scalars
        #expect(sums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
    }
}
