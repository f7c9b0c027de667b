import Foundation
import NN
import NNTesting
import Tensor
import Testing

/// Each layer, loaded by checkpoint key from PyTorch's state_dict, gives PyTorch's output
/// (fp32 weights, and bf16 weights kept resident as bf16).
@Suite struct LayerParityTests {
    /// Loads `module` from the fixture (fp32, then bf16) and checks `run` against the
    /// references.
    func check(_ name: String, _ module: any Module, outputs: Int = 1,
               _ run: (LayerFixture) throws -> [Tensor<Float>]) throws {
        let fixture = LayerFixture(name)
        for bf16 in [false, true] {
            try module.load(from: fixture.weights(bf16: bf16))
            if bf16 {
                #expect(module.namedParameters().allSatisfy { $0.weight.dtype == .bfloat16 }, "\(name): bf16 kept as stored")
            }
            let results = try run(fixture)
            for j in 0..<outputs {
                expectClose(results[j], try fixture.output(j, bf16: bf16), "\(name) output \(j)\(bf16 ? " (bf16 weights)" : "")")
            }
        }
    }

    @Test func linear() throws {
        let layer = Linear(37, 23)
        try check("linear", layer) { [layer(try $0.floatInput())] }
        let noBias = Linear(64, 48, bias: false)
        try check("linear_nobias", noBias) { [noBias(try $0.floatInput())] }
    }

    @Test func linearWithFusedGELU() throws {
        let layer = Linear(40, 70)
        try check("linear_gelu", layer) { [layer(try $0.floatInput(), activation: .gelu)] }
    }

    @Test func layerNormAndRMSNorm() throws {
        let layerNorm = LayerNorm(48, epsilon: 1e-6)
        try check("layer_norm", layerNorm) { [layerNorm(try $0.floatInput())] }
        let rmsNorm = RMSNorm(48, epsilon: 1e-6)
        try check("rms_norm", rmsNorm) { [rmsNorm(try $0.floatInput())] }
    }

    @Test func conv2dPatchifyAndGeneral() throws {
        let patchify = Conv2d(3, 16, kernel: 14, stride: 14)
        try check("conv_patchify", patchify) { [patchify(try $0.floatInput())] }
        // The token layout equals conv(x).flatten(2).transpose(1, 2).
        let fixture = LayerFixture("conv_patchify")
        try patchify.load(from: fixture.weights())
        let tokens = patchify.patchTokens(try fixture.floatInput())
        let expected = try fixture.output().reshaped([2, 16, -1]).transposed(1, 2).contiguous()
        expectClose(tokens, expected, "patchTokens")
        let general = Conv2d(4, 6, kernelSize: (3, 5), stride: (2, 1), padding: (1, 2))
        try check("conv_general", general) { [general(try $0.floatInput())] }
    }

    @Test func embedding() throws {
        let embedding = Embedding(50, 12)
        try check("embedding", embedding) { [embedding(try #require($0.input().tensor(as: Int32.self)))] }
    }

    @Test func fusedAttentionWithProbabilities() throws {
        let attention = MultiHeadAttention(dim: 64, heads: 4)
        try check("attention_fused", attention, outputs: 2) {
            let (y, p) = attention.forward(try $0.floatInput(), returnAttention: true)
            return [y, try #require(p)]
        }
    }

    /// q/k RMSNorm over the full width, no qkv bias, 300 tokens (two query blocks).
    @Test func attentionWithQKNormalization() throws {
        let attention = MultiHeadAttention(dim: 64, heads: 4, qkvBias: false, qkNormalization: .rms(epsilon: 1e-6))
        try check("attention_qknorm", attention) { [attention(try $0.floatInput())] }
    }

    /// Separate query/key/value and an additive mask hiding padded keys.
    @Test func separateProjectionsWithMask() throws {
        let attention = MultiHeadAttention(dim: 32, heads: 2, projections: .separate("query", "key", "value"),
                                           outputName: "dense")
        try check("attention_masked", attention, outputs: 2) {
            let (y, p) = attention.forward(try $0.floatInput(0), mask: try $0.floatInput(1), returnAttention: true)
            return [y, try #require(p)]
        }
    }

    @Test func mlpLayerScaleAndSequential() throws {
        let mlp = MLP(24, hidden: 96)
        try check("mlp", mlp) { [mlp(try $0.floatInput())] }
        let scale = LayerScale(24)
        try check("layer_scale", scale) { [scale(try $0.floatInput())] }
        let sequential = Sequential(Linear(10, 20), GELU(approximate: .tanh), Linear(20, 5))
        try check("sequential", sequential) { [sequential(try $0.floatInput())] }
    }
}
