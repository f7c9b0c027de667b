import InternViT
import NN
import Tensor
import Testing

/// One frozen model shared by concurrent tasks (Swift 6 checks at compile time that
/// `FrozenInternVisionModel` may cross into the task group).
@Suite struct ConcurrentForwardTests {
    /// A small InternViT whose GEMMs (≥ 2 MFLOP) and attention are large enough to be
    /// split over threads, so thread counts really differ between calls.
    static var smallConfig: InternVisionConfig {
        var config = InternVisionConfig.internViT300M
        config.hiddenSize = 128; config.intermediateSize = 512; config.numAttentionHeads = 4
        config.numHiddenLayers = 2; config.imageSize = 112
        return config
    }

    /// 8 forwards at once from a task group, each with its own thread count, give exactly
    /// the bits of the same forwards run one after another on one thread.
    @Test func eightConcurrentForwardsEqualTheSerialResults() async throws {
        let model = try InternVisionModel.random(config: Self.smallConfig, seed: 3).frozen()
        let inputs = (0..<8).map { Tensor<Float>.randomNormal([1, 3, 112, 112], seed: UInt64(10 + $0)) }  // [1, 3, H, W]
        let serial = inputs.map { model.forward($0, threads: 1).lastHiddenState }                        // [1, 65, 128] each
        let threadCounts = [1, 2, 3, 4, 2, 1, 4, 3]
        let concurrent = await withTaskGroup(of: (Int, Tensor<Float>).self) { group in
            for (index, pixels) in inputs.enumerated() {
                group.addTask { (index, model.forward(pixels, threads: threadCounts[index]).lastHiddenState) }
            }
            var results = [Tensor<Float>?](repeating: nil, count: inputs.count)
            for await (index, output) in group { results[index] = output }
            return results
        }
        #expect(serial[0].shape == [1, 65, 128])
        for index in 0..<inputs.count {
            let output = try #require(concurrent[index], "forward \(index) returned nothing")
            #expect(output.shape == serial[index].shape)
            #expect(output.scalars.map(\.bitPattern) == serial[index].scalars.map(\.bitPattern),
                    "forward \(index) with \(threadCounts[index]) threads")
        }
        // Different inputs give different outputs (the comparison above can fail).
        #expect(serial[0].scalars != serial[1].scalars)
    }

    /// Freezing copies the parameter values: re-initialising the original afterwards
    /// changes its output but not the frozen model's.
    @Test func frozenModelIgnoresLaterChangesToTheOriginal() throws {
        let original = InternVisionModel.random(config: Self.smallConfig, seed: 3)
        let frozen = try original.frozen()
        let pixels = Tensor<Float>.randomNormal([1, 3, 112, 112], seed: 1)     // [1, 3, H, W]
        let before = frozen(pixels).scalars
        #expect(original(pixels).scalars == before)
        original.initializeRandomly(seed: 4)
        #expect(original(pixels).scalars != before)
        #expect(frozen(pixels).scalars == before)
        #expect(frozen.parameterCount == original.parameterCount)
    }

    @Test func freezingAnUnloadedModelThrows() {
        #expect(throws: ModuleLoadError.self) { try InternVisionModel(config: Self.smallConfig).frozen() }
    }
}
