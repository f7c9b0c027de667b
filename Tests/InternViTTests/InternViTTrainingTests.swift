import Autograd
import Foundation
import InternViT
import NN
import NNTesting
import Tensor
import Testing

/// The differentiable InternViT forwards equal the inference forwards on the same weights
/// (tolerance as in NNTests' TrainingForwardTests: same float32 maths, other summation
/// order, 1e-5 of scale), and drop path follows the reference's linear ramp.
@Suite struct InternViTTrainingTests {
    static func config(norm: InternVisionConfig.NormType, qkNormalization: Bool) -> InternVisionConfig {
        var c = InternVisionConfig()
        c.hiddenSize = 16; c.intermediateSize = 32; c.numAttentionHeads = 4; c.numHiddenLayers = 3
        c.imageSize = 8; c.patchSize = 2; c.qkvBias = !qkNormalization; c.qkNormalization = qkNormalization
        c.normType = norm; c.dropPathRate = 0.2
        return c
    }

    @Test(arguments: [(InternVisionConfig.NormType.layerNorm, false), (.rmsNorm, true)])
    func trainingForwardEqualsInference(norm: InternVisionConfig.NormType, qkNormalization: Bool) {
        let model = InternVisionModel(config: Self.config(norm: norm, qkNormalization: qkNormalization))
        model.initializeForTraining(seed: 0, scheme: InitializationScheme(standardDeviation: 0.2, layerScale: 0.5))
        let context = TrainingContext(parameters: model.trainableParameters(), isTraining: false)
        let pixels = Tensor<Float>.randomNormal([2, 3, 8, 8], seed: 1)                // [B, 3, 8, 8]
        let tokens = model.embeddings(pixels)                                         // [B, 17, D]
        expectClose(model.embeddings(Variable(pixels), context).value, tokens, "embeddings")
        let layer = model.encoder.layers[1]
        expectClose(layer(Variable(tokens), context).value, layer(tokens).0, "encoder layer")
        expectClose(model(Variable(pixels), context).value, model.forward(pixels).lastHiddenState, "model")
    }

    @Test func dropPathRampsLinearlyAndActsInTraining() {
        let model = InternVisionModel(config: Self.config(norm: .layerNorm, qkNormalization: false))
        #expect(model.encoder.layers.map(\.dropPath.probability) == [0, 0.1, 0.2])
        model.initializeForTraining(seed: 0, scheme: InitializationScheme(standardDeviation: 0.2))
        let parameters = model.trainableParameters()
        let pixels = Variable(Tensor<Float>.randomNormal([8, 3, 8, 8], seed: 1))      // [B, 3, 8, 8]
        let evaluated = model(pixels, TrainingContext(parameters: parameters, isTraining: false)).value
        let trained = model(pixels, TrainingContext(parameters: parameters, isTraining: true, seed: 3)).value
        let again = model(pixels, TrainingContext(parameters: parameters, isTraining: true, seed: 3)).value
        #expect(trained.scalars == again.scalars)
        #expect(trained.maxAbsDifference(evaluated) > 1e-3)
    }
}

/// `InternVisionConfig.jsonData` writes the released layout and reads back equal.
@Suite struct InternVisionConfigJSONTests {
    @Test(arguments: [InternVisionConfig.internViT300M, InternVisionConfig(),
                      InternViTTrainingTests.config(norm: .layerNorm, qkNormalization: false)])
    func roundTrip(config: InternVisionConfig) throws {
        let data = config.jsonData()
        #expect(try InternVisionConfig(json: data) == config)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["model_type"] as? String == "intern_vit_6b")
        #expect(object["architectures"] as? [String] == ["InternVisionModel"])
        #expect(object["norm_type"] as? String == config.normType.rawValue)
    }
}
