import Autograd
import Foundation
import NN
import NNTesting
import Tensor
import Testing

/// The training pieces of NN: trainable parameters by checkpoint path, writing them back,
/// seeded initialisation, train/eval mode, and differentiable forwards equal to the
/// inference forwards on the same weights.
///
/// Tolerance: both forwards are float32 on the same weights, differing only in summation
/// order (the inference attention is the fused blocked kernel, the inference GELU is fused
/// into the GEMM epilogue, the training ops are separate passes). Dot products of ≤ 192
/// terms round to about √K·ε ≈ 1e-6 of scale; `expectClose`'s 1e-5 of scale leaves a
/// margin of ten and still fails on any real difference (a missing bias, a wrong ε, a
/// swapped head), which moves outputs by ≥ 1e-3 of scale.
@Suite struct TrainingForwardTests {
    /// Two blocks with checkpoint names, like ModuleTests', with attention and an MLP.
    final class Block: Module {
        let norm1 = LayerNorm(8)
        let attn = MultiHeadAttention(dim: 8, heads: 2)
        let ls1 = LayerScale(8, parameterName: "")
        let norm2 = RMSNorm(8)
        let mlp = MLP(8, hidden: 16, activation: .gelu)
        func visitParameters(_ visitor: inout ParameterVisitor) {
            visitor.visit(child: "norm1", norm1)
            visitor.visit(child: "attn", attn)
            visitor.visit(child: "ls1", ls1)
            visitor.visit(child: "norm2", norm2)
            visitor.visit(child: "mlp", mlp)
        }
        func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
            let h = x + ls1(attn(norm1(x)))                           // [B, N, 8]
            return h + mlp(norm2(h))
        }
        func callAsFunction(_ x: Variable, _ c: TrainingContext) -> Variable {
            let h = x + ls1(attn(norm1(x, c), c), c)                  // [B, N, 8]
            return h + mlp(norm2(h, c), c)
        }
    }
    final class Model: Module {
        let layers = [Block(), Block()]
        func visitParameters(_ visitor: inout ParameterVisitor) { visitor.visit(list: "layers", layers) }
    }

    static func input(_ shape: [Int], seed: UInt64 = 7) -> Tensor<Float> { .randomNormal(shape, seed: seed) }

    @Test func trainableParametersCarryCheckpointPaths() {
        let model = Model()
        model.initializeForTraining(seed: 1)
        let parameters = model.trainableParameters()
        #expect(parameters.parameters.map(\.path) == model.namedParameters().map(\.path))
        #expect(parameters.parameters.first?.path == "layers.0.norm1.weight")
        #expect(parameters.parameters.contains { $0.path == "layers.1.ls1" })
        #expect(parameters.parameters.contains { $0.path == "layers.1.attn.qkv.bias" })
        #expect(parameters.scalarCount == model.parameterCount)
        // (module, name) lookups reach the leaf with that path.
        let block = model.layers[1]
        #expect(parameters.variable(block.ls1, "") === parameters.variable(path: "layers.1.ls1"))
        #expect(parameters.variable(block.attn.qkv!, "weight") === parameters.variable(path: "layers.1.attn.qkv.weight"))
    }

    @Test func initializationFollowsTheDocumentedScheme() {
        let model = Model()
        model.initializeForTraining(seed: 3, scheme: InitializationScheme(standardDeviation: 0.02, layerScale: 0.1))
        let values = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.path, $0.weight.float) })
        #expect(values["layers.0.norm1.weight"]!.scalars.allSatisfy { $0 == 1 })
        #expect(values["layers.0.norm1.bias"]!.scalars.allSatisfy { $0 == 0 })
        #expect(values["layers.0.norm2.weight"]!.scalars.allSatisfy { $0 == 1 })
        #expect(values["layers.0.ls1"]!.scalars.allSatisfy { $0 == 0.1 })
        #expect(values["layers.0.attn.qkv.bias"]!.scalars.allSatisfy { $0 == 0 })
        let qkv = values["layers.0.attn.qkv.weight"]!.scalars                  // 192 values
        #expect(qkv.allSatisfy { Swift.abs($0) <= 0.04 })
        let std = (qkv.reduce(0) { $0 + Double($1 * $1) } / Double(qkv.count)).squareRoot()
        #expect(std > 0.014 && std < 0.022, "std \(std): truncated N(0, 0.02²) has std 0.0176")
        #expect(Set(qkv).count == qkv.count)
        // Same seed → same bytes; another seed → other values.
        let again = Model(), other = Model()
        again.initializeForTraining(seed: 3, scheme: InitializationScheme(standardDeviation: 0.02, layerScale: 0.1))
        other.initializeForTraining(seed: 4, scheme: InitializationScheme(standardDeviation: 0.02, layerScale: 0.1))
        #expect(again.namedParameters().map(\.weight.float.scalars) == model.namedParameters().map(\.weight.float.scalars))
        #expect(other.namedParameters()[1...].map(\.weight.float.scalars) != model.namedParameters()[1...].map(\.weight.float.scalars))
    }

    @Test func trainingForwardEqualsInferenceForward() {
        let model = Model()
        model.initializeForTraining(seed: 5, scheme: InitializationScheme(standardDeviation: 0.3, layerScale: 0.7))
        let context = TrainingContext(parameters: model.trainableParameters(), isTraining: false)
        let x = Self.input([2, 5, 8])                                            // [B, N, D]
        let block = model.layers[0]
        expectClose(block.norm1(Variable(x), context).value, block.norm1(x), "LayerNorm")
        expectClose(block.norm2(Variable(x), context).value, block.norm2(x), "RMSNorm")
        expectClose(block.ls1(Variable(x), context).value, block.ls1(x), "LayerScale")
        expectClose(block.attn.qkv!(Variable(x), context).value, block.attn.qkv!(x), "Linear")
        expectClose(block.mlp(Variable(x), context).value, block.mlp(x), "MLP (GELU)")
        expectClose(block.attn(Variable(x), context).value, block.attn(x), "attention")
        expectClose(block(Variable(x), context).value, block(x), "block")
        for activation in [MLP.Activation.geluTanh, .silu] {
            let mlp = MLP(8, hidden: 16, activation: activation)
            mlp.initializeForTraining(seed: 9, scheme: InitializationScheme(standardDeviation: 0.3))
            let c = TrainingContext(parameters: mlp.trainableParameters(), isTraining: false)
            expectClose(mlp(Variable(x), c).value, mlp(x), "MLP (\(activation))")
        }
        let qkNormed = MultiHeadAttention(dim: 8, heads: 4, qkvBias: false, projections: .separate("q", "k", "v"),
                                          qkNormalization: .rms(epsilon: 1e-6))
        qkNormed.initializeForTraining(seed: 11, scheme: InitializationScheme(standardDeviation: 0.3))
        let c = TrainingContext(parameters: qkNormed.trainableParameters(), isTraining: false)
        expectClose(qkNormed(Variable(x), c).value, qkNormed(x), "attention with separate projections and q/k RMSNorm")
    }

    @Test func patchEmbeddingEqualsConv2d() {
        let conv = Conv2d(3, 6, kernel: 2, stride: 2)
        conv.initializeForTraining(seed: 2, scheme: InitializationScheme(standardDeviation: 0.5))
        let c = TrainingContext(parameters: conv.trainableParameters(), isTraining: false)
        for shape in [[2, 3, 8, 8], [1, 3, 5, 7]] {                              // the second is cropped like the conv
            let pixels = Self.input(shape)                                       // [B, 3, H, W]
            expectClose(conv.patchTokens(Variable(pixels), c).value, conv.patchTokens(pixels), "patch tokens \(shape)")
        }
        let embedding = Embedding(10, 4)
        embedding.initializeForTraining(seed: 2)
        let ids = Tensor<Int32>([3, 0, 9, 3], shape: [2, 2])
        let e = TrainingContext(parameters: embedding.trainableParameters(), isTraining: false)
        #expect(embedding(ids, e).value.scalars == embedding(ids).scalars)
    }

    @Test func dropoutAndDropPathActOnlyInTraining() {
        let x = Tensor<Float>.ones([64, 3, 4])                                   // [B, N, D]
        let parameters = Model().trainableParametersAfterInit()
        let eval = TrainingContext(parameters: parameters, isTraining: false, seed: 1)
        #expect(DropPath(0.5)(Variable(x), eval).value.scalars == x.scalars)
        #expect(Dropout(0.5)(Variable(x), eval).value.scalars == x.scalars)
        let train = TrainingContext(parameters: parameters, isTraining: true, seed: 1)
        let dropped = DropPath(0.5)(Variable(x), train).value                    // [B, N, D]
        for sample in 0..<64 {                                                   // whole samples: all 0 or all 2
            let values = Set(dropped.sliced(axis: 0, sample..<(sample + 1)).contiguous().scalars)
            #expect(values == [0] || values == [2])
        }
        let kept = (0..<64).filter { dropped.sliced(axis: 0, $0..<($0 + 1)).contiguous().scalars[0] == 2 }.count
        #expect(kept > 16 && kept < 48)
        let zeroed = Dropout(0.5)(Variable(x), train).value.scalars.filter { $0 == 0 }.count
        #expect(zeroed > 300 && zeroed < 468, "\(zeroed) of 768 zeroed at p = 0.5")
    }

    @Test func trainedValuesSaveAndLoadByName() throws {
        let model = Model()
        model.initializeForTraining(seed: 5)
        let parameters = model.trainableParameters()
        let context = TrainingContext(parameters: parameters, isTraining: true)
        let x = Self.input([2, 5, 8])
        let y = model.layers[1](model.layers[0](Variable(x), context), context) // [2, 5, 8]
        let loss = (y * y).mean()
        loss.backward()
        #expect(parameters.parameters.allSatisfy { $0.variable.gradient != nil })
        var optimizer = SGD(momentum: 0)
        optimizer.step(&parameters.parameters, learningRate: 0.5)
        model.update(from: parameters)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nn-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        let loaded = Model()
        try loaded.load(from: SafeTensorsFile(contentsOf: url))
        for (path, weight) in loaded.namedParameters() {
            #expect(weight.float.scalars == parameters.variable(path: path)!.value.contiguous().scalars, "\(path)")
        }
        #expect(loaded.layers[0].attn.qkv!.weight.float.scalars != Model().trainableParametersAfterInit()
                    .variable(path: "layers.0.attn.qkv.weight")!.value.scalars)
    }
}

extension Module {
    /// Parameters after a fixed seeded initialisation (test helper).
    func trainableParametersAfterInit() -> TrainableParameters {
        initializeForTraining(seed: 5)
        return trainableParameters()
    }
}
