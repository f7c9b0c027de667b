import NN
import NNTesting
import Tensor
import Testing

/// Docs/Extending.md's SwiGLU, loaded from a PyTorch state_dict and compared.
@Suite struct ExtendingExampleTests {
    @Test func swiGLUMatchesPyTorch() throws {
        let fixture = LayerFixture("swiglu")
        let layer = SwiGLU(dim: 32, hidden: 88)
        #expect(layer.namedParameters().map(\.path) == ["w1.weight", "w2.weight", "w3.weight"])
        for bf16 in [false, true] {
            try layer.load(from: fixture.weights(bf16: bf16))
            expectClose(layer(try fixture.floatInput()), try fixture.output(bf16: bf16), "SwiGLU bf16 \(bf16)")
        }
    }
}
