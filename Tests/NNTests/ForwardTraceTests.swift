import NN
import NNTesting
import Tensor
import Testing

/// `ForwardTrace` in the NN blocks: the names each block reports, the probabilities on
/// request, and that a traced forward computes what an untraced one does.
@Suite struct ForwardTraceTests {
    final class Recorder { var steps: [(String, [Int])] = []; var tensors: [String: Tensor<Float>] = [:] }

    func recording(probabilities: Bool = false) -> (ForwardTrace, Recorder) {
        let recorder = Recorder()
        let trace = ForwardTrace(includesAttentionProbabilities: probabilities) { name, tensor in
            recorder.steps.append((name, tensor.shape))
            recorder.tensors[name] = tensor
        }
        return (trace, recorder)
    }

    @Test func attentionReportsItsStepsUnderItsPath() throws {
        let fixture = LayerFixture("attention_masked")
        let attention = MultiHeadAttention(dim: 32, heads: 2, projections: .separate("query", "key", "value"),
                                           outputName: "dense")
        try attention.load(from: fixture.weights())
        let x = try fixture.floatInput(0), mask = try fixture.floatInput(1)                 // [B, N, 32], mask
        let (trace, recorder) = recording(probabilities: true)
        let (traced, noProbabilities) = attention.forward(x, mask: mask, returnAttention: false, trace: trace.child("attn"))
        #expect(noProbabilities == nil)
        #expect(recorder.steps.map(\.0) == ["attn.query", "attn.key", "attn.value", "attn.attn_probs", "attn.context", "attn.dense"])
        let (plain, probabilities) = attention.forward(x, mask: mask, returnAttention: true)
        #expect(traced.scalars == plain.scalars)
        #expect(recorder.tensors["attn.attn_probs"]?.scalars == probabilities?.scalars)
        expectClose(traced, try fixture.output(0), "traced attention")
    }

    @Test func qkNormsAndFusedProjectionAreReported() throws {
        let attention = MultiHeadAttention(dim: 64, heads: 4, qkvBias: false, qkNormalization: .rms(epsilon: 1e-6))
        let fixture = LayerFixture("attention_qknorm")
        try attention.load(from: fixture.weights())
        let (trace, recorder) = recording()
        let y = attention.forward(try fixture.floatInput(), returnAttention: false, trace: trace).output
        #expect(recorder.steps.map(\.0) == ["qkv", "q_norm", "k_norm", "context", "proj"])
        #expect(recorder.steps.first?.1.last == 192)
        expectClose(y, try fixture.output(), "traced q/k-norm attention")
    }

    /// The MLP unfuses its GELU while traced: fc1 before, act after, same result.
    @Test func mlpReportsPreAndPostActivation() throws {
        let mlp = MLP(24, hidden: 96)
        let fixture = LayerFixture("mlp")
        try mlp.load(from: fixture.weights())
        let x = try fixture.floatInput()
        let (trace, recorder) = recording()
        let y = mlp(x, trace: trace.child("mlp"))
        #expect(recorder.steps.map(\.0) == ["mlp.fc1", "mlp.act", "mlp.fc2"])
        let fc1 = try #require(recorder.tensors["mlp.fc1"]), act = try #require(recorder.tensors["mlp.act"])
        expectClose(act, fc1.gelu(), "act = gelu(fc1)")
        expectClose(y, try fixture.output(), "traced MLP")
        expectClose(y, mlp(x), "traced = untraced")
    }
}
