import Foundation
import InternViT
import NN
import Testing
@testable import Tensor

/// A small random InternViT gives the same float32 bytes under every kernel table, with 1
/// or 2 threads, alone or in a batch of tiles (Docs/Performance.md, "Same bits on every
/// CPU"). The table override is process-wide, so the suite is serialised.
@Suite(.serialized) struct ReproducibilityTests {
    /// Big enough for multi-threaded GEMMs and edge tiles of every micro-kernel shape.
    static func smallModel() -> InternVisionModel {
        var config = InternVisionConfig()
        config.hiddenSize = 96
        config.intermediateSize = 352
        config.numAttentionHeads = 3
        config.numHiddenLayers = 2
        config.imageSize = 84
        config.qkNormalization = true
        config.normType = .layerNorm
        config.qkvBias = true
        let model = InternVisionModel(config: config)
        model.initializeRandomly(seed: 3, dtype: .float32)
        return model
    }

    @Test func forwardBitsAreTheSameForEveryTableThreadCountAndBatch() {
        let model = Self.smallModel()
        let pixels = Tensor<Float>.randomUniform([3, 3, 84, 84], low: -2, high: 2, seed: 9)  // [B, 3, H, W]
        let first = pixels.sliced(axis: 0, 0..<1).contiguous()                                // [1, 3, H, W]
        let expected = KernelDispatch.withTable(.portable) {
            ComputeThreads.withCount(1) { model(first).scalars.map(\.bitPattern) }              // [1, N, C]
        }
        for table in KernelDispatch.supported {
            for threads in [1, 2] {
                let (single, batched) = KernelDispatch.withTable(table) {
                    ComputeThreads.withCount(threads) {
                        (model(first).scalars.map(\.bitPattern),
                         model(pixels).sliced(axis: 0, 0..<1).contiguous().scalars.map(\.bitPattern))  // [1, N, C]
                    }
                }
                #expect(single == expected, "\(table.kind), \(threads) threads, one tile")
                #expect(batched == expected, "\(table.kind), \(threads) threads, first of 3 tiles")
            }
        }
    }

    /// Linear weights packed once for the GEMM (`prepackLinearLayers`, float32 and bfloat16
    /// checkpoints) change no output byte under any table or thread count, also through
    /// `frozen()`, and the parameters read back as the values that were packed.
    @Test(arguments: [DType.float32, .bfloat16])
    func prepackedWeightsGiveTheSameBytes(dtype: DType) throws {
        let model = Self.smallModel()
        if dtype != .float32 { model.initializeRandomly(seed: 3, dtype: dtype) }
        let pixels = Tensor<Float>.randomUniform([2, 3, 84, 84], low: -2, high: 2, seed: 9)  // [B, 3, H, W]
        let expected = KernelDispatch.withTable(.portable) {
            ComputeThreads.withCount(1) { model(pixels).scalars.map(\.bitPattern) }              // [B, N, C]
        }
        let before = model.namedParameters().map { ($0.path, $0.weight.dtype, $0.weight.float.scalars) }
        model.prepackLinearLayers()
        guard case .packed(let fc1) = model.encoder.layers[0].mlp.mlp.fc1.weight else {
            Issue.record("fc1 was not packed"); return
        }
        #expect(fc1.dtype == dtype)
        let after = model.namedParameters().map { ($0.path, $0.weight.dtype, $0.weight.float.scalars) }
        #expect(after.map(\.0) == before.map(\.0))
        for (old, new) in zip(before, after) {
            #expect(old.1 == new.1 && old.2 == new.2, "\(old.0) reads back differently once packed")
        }
        let frozen = try model.frozen()
        for table in KernelDispatch.supported {
            for threads in [1, 2] {
                let (direct, shared) = KernelDispatch.withTable(table) {
                    ComputeThreads.withCount(threads) {
                        (model(pixels).scalars.map(\.bitPattern), frozen(pixels).scalars.map(\.bitPattern))
                    }
                }
                #expect(direct == expected, "\(dtype) packed, \(table.kind), \(threads) threads")
                #expect(shared == expected, "\(dtype) packed and frozen, \(table.kind), \(threads) threads")
            }
        }
    }

    /// Without a trace an encoder layer fuses each layer-scaled residual into the epilogue
    /// of proj and fc2; with one it runs the separate operations (so their outputs can be
    /// seen). Both give the same bytes, with 1 and 2 threads.
    @Test func fusedLayerHasTheBitsOfTheSeparateOperations() {
        let model = Self.smallModel()
        let layer = model.encoder.layers[0]
        let x = Tensor<Float>.randomNormal([2, 37, 96], seed: 12)                           // [B, N, D]
        var steps = 0
        let trace = ForwardTrace { _, _ in steps += 1 }
        for threads in [1, 2] {
            let (fused, separate) = ComputeThreads.withCount(threads) {
                (layer(x).0.scalars.map(\.bitPattern), layer(x, trace: trace).0.scalars.map(\.bitPattern))  // [B, N, D]
            }
            #expect(fused == separate, "\(threads) threads")
        }
        #expect(steps > 0, "the traced call took the separate path")
    }
}
