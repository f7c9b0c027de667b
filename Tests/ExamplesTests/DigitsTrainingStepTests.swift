import Autograd
import DigitsTraining
import Foundation
import NN
import Tensor
import Testing

/// One whole training step of the vit-train model against PyTorch: the same weights and
/// batch give the same logits, loss and gradient for every parameter
/// (`Scripts/make_vit_train_fixtures.py` writes the fixture from an nn.Module twin).
@Suite struct DigitsTrainingStepTests {
    @Test func stepMatchesPyTorch() throws {
        let url = ExampleFixtures.root.appendingPathComponent("vit-train/step.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        var recipe = TrainingRecipe()
        recipe.width = 8; recipe.heads = 2; recipe.depth = 2; recipe.mlpRatio = 2; recipe.dropPath = 0
        let model = DigitsClassifier(config: recipe.config)
        try model.load(from: KeyFilteredSource(file), precision: .float32)
        let parameters = model.trainableParameters()
        #expect(parameters.parameters.count == 34)
        let context = TrainingContext(parameters: parameters, isTraining: true)
        let images = try file.tensor(named: "images").toFloat()                         // [4, 3, 8, 8]
        let labels = try file.tensor(named: "labels").toFloat().scalars.map { Int($0) }
        let logits = model(Variable(images), context)                                   // [4, 10]
        let loss = logits.crossEntropy(labels: labels, labelSmoothing: 0.1)
        loss.backward()
        // Float32 on both sides, sums of ≤ 64 terms: 1e-5 of scale (as NNTesting's expectClose).
        let expectedLogits = try file.tensor(named: "logits").toFloat()
        #expect(logits.value.maxAbsDifference(expectedLogits) <= 1e-5 * Double(expectedLogits.abs().max()))
        #expect(Swift.abs(loss.value.item - (try file.tensor(named: "loss").toFloat().scalars[0])) <= 1e-5)
        for parameter in parameters.parameters {
            let expected = try file.tensor(named: "grad." + parameter.path).toFloat()
            let gradient = try #require(parameter.variable.gradient, "\(parameter.path) has no gradient")
            let scale = Swift.max(Double(expected.abs().max()), 1e-4)
            #expect(gradient.maxAbsDifference(expected) <= 1e-4 * scale, "\(parameter.path)")
        }
    }
}

/// The fixture's weights only (it also holds images, labels, loss and gradients).
struct KeyFilteredSource: TensorSource {
    let file: SafeTensorsFile
    init(_ file: SafeTensorsFile) { self.file = file }
    var sourceDescription: String { file.sourceDescription }
    var tensorNames: [String] { file.tensorNames.filter { $0.hasPrefix("vision_model.") || $0.hasPrefix("head.") } }
    func info(named name: String) -> TensorInfo? { file.info(named: name) }
    func tensor(named name: String) throws -> AnyTensor { try file.tensor(named: name) }
}
