import Testing
import Tensor

/// `matmul` against numpy's float64 product.
@Suite struct MatmulTests {
    /// Error bound of a float32 dot product of length K: K·ε·Σ|aᵢ||bᵢ| (computed as
    /// |A|·|B|), plus the final rounding of the reference.
    @Test(arguments: Fixtures.cases("matmul"))
    func matmulMatchesNumpy(_ c: Fixtures.Case) throws {
        let a = try c.floatInput(0), b = try c.floatInput(1)
        let k = Float(a.shape.last!)
        let bound = a.abs().matmul(b.abs()).scalars
        expectMatch(a.matmul(b), try c.expectedTensor().toFloat(), "\(c)") { e, i in
            ulp(e) + k * Float.ulpOfOne * bound[i]
        }
    }

    @Test func matmulOfTransposedViews() {
        let a = Tensor<Float>.randomNormal([5, 7], seed: 1)
        let b = Tensor<Float>.randomNormal([6, 7], seed: 2)
        let viaView = a.matmul(b.transposed())
        let viaCopy = a.matmul(b.transposed().contiguous())
        #expect(viaView.shape == [5, 6])
        #expect(viaView.scalars == viaCopy.scalars)
    }
}
