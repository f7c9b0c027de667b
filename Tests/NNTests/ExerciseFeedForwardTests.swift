import NN
import NNTesting
import Tensor
import Testing

// Docs/Exercises.md, exercise 4: the answer, compiled and run.

final class FeedForward: Layer {
    let fc1: Linear, fc2: Linear

    init(dim: Int, hidden: Int) {
        fc1 = Linear(dim, hidden)
        fc2 = Linear(hidden, dim)
    }

    func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "fc1", fc1)     // → fc1.weight, fc1.bias
        visitor.visit(child: "fc2", fc2)
    }

    // [..., dim] → [..., dim]
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        fc2(fc1(x).gelu())
    }
}

@Suite struct ExerciseFeedForwardTests {
    @Test func feedForwardLoadsAndMatchesPyTorch() throws {
        let fixture = LayerFixture("mlp")
        let layer = FeedForward(dim: 24, hidden: 96)
        try layer.load(from: fixture.weights())
        #expect(layer.namedParameters().map(\.path) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        expectClose(layer(try fixture.floatInput()), try fixture.output(), "FeedForward")
    }
}
