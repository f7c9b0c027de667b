import InternViT
import NN
import Tensor
import Testing

/// `InternVisionConfig.tiny`: the 300M architecture at width 64, for experiments in
/// debug builds (Docs/InternViT.md quotes this test's time).
@Suite struct TinyModelTests {
    @Test func tinyRandomModelRuns() {
        let model = InternVisionModel(config: .tiny)
        model.initializeRandomly(seed: 0, dtype: .float32)
        let tokens = model(Tensor<Float>.randomNormal([1, 3, 224, 224], seed: 1))   // [1, 257, 64]
        #expect(tokens.shape == [1, 257, 64])
        #expect(tokens.abs().max().isFinite)
        #expect(model.parameterCount == 154_432)
        let c = InternVisionConfig.tiny, big = InternVisionConfig.internViT300M
        #expect(c.normType == big.normType && c.qkvBias && !c.qkNormalization && c.hiddenAct == .gelu && c.patchSize == 14)
    }

    /// The presets' parameter counts as Docs/InternViT.md's table gives them.
    @Test func presetParameterCounts() {
        #expect(InternVisionModel(config: .internViT300M).parameterCount == 304_012_288)
        let reference = InternVisionModel(config: InternVisionConfig()).parameterCount
        #expect((Double(reference) / 1e8).rounded() / 10 == 5.9)
    }
}
