import Testing
import Tensor

@Suite struct DescriptionTests {
    @Test func smallTensorPrintsEveryValue() {
        let x = Tensor<Float>([1, 2.5, -3, 0.125, 5, 6], shape: [2, 3])
        #expect(x.description == "Tensor<float32> shape [2, 3]\n[[1., 2.5, -3.],\n [0.125, 5., 6.]]")
        #expect(Tensor<Int32>([1, 2, 3]).description == "Tensor<int32> shape [3]\n[1, 2, 3]")
        #expect(Tensor<Float>(scalar: 2).description.hasSuffix("\n2."))
    }

    @Test func largeTensorIsSummarised() {
        let x = Tensor<Float>.arange(from: 0, to: 2000, step: 1).reshaped(2, 1000)
        let text = x.formattedValues()
        #expect(text == "[[0., 1., 2., ..., 997., 998., 999.],\n [1000., 1001., 1002., ..., 1997., 1998., 1999.]]")
    }

    @Test func specialValuesAndScientificNotation() {
        #expect(Tensor<Float>([.nan, .infinity, -.infinity]).formattedValues() == "[nan, inf, -inf]")
        #expect(Tensor<Float>([1e-6, 2]).formattedValues() == "[1.0000e-06, 2.0000e+00]")
        #expect(Tensor<BFloat16>.zeros([1]).description.hasPrefix("Tensor<bfloat16> shape [1]"))
    }
}
