import Testing
import NN
import InternViT
@testable import InternViTCLI

/// When the CLI packs the float32 linear weights for the GEMM (`LoadedModel.willRun`):
/// not for a one-tile run, which would not win the packing back, but from the second tile
/// on, and at load for `bench` and batch embedding. The bits are the same either way
/// (`ReproducibilityTests.prepackedWeightsGiveTheSameBytes`).
@Suite struct WeightPackingPolicyTests {
    static let quiet = Console(out: { _ in }, err: { _ in })

    static func isPacked(_ model: InternVisionModel) -> Bool {
        if case .packed = model.encoder.layers[0].mlp.mlp.fc1.weight { return true }
        return false
    }

    @Test func oneTileLeavesTheWeightsAsLoadedAndTheSecondPacksThem() throws {
        let loaded = try ModelLoading.load("random-tiny", dtype: "bfloat16", console: Self.quiet, help: "")
        #expect(!Self.isPacked(loaded.model))
        loaded.willRun(tiles: 1)
        #expect(!Self.isPacked(loaded.model))
        loaded.willRun(tiles: 1)
        #expect(Self.isPacked(loaded.model))
        loaded.willRun(tiles: .max)                       // no overflow past the threshold
        #expect(Self.isPacked(loaded.model))
    }

    @Test func manyTilesAtOncePackBeforeTheFirstForward() throws {
        let loaded = try ModelLoading.load("random-tiny", dtype: "float32", console: Self.quiet, help: "")
        loaded.willRun(tiles: LoadedModel.tilesWorthPacking)
        #expect(Self.isPacked(loaded.model))
    }

    @Test func prepackAtLoadPacksFloatWeightsAndLeavesInt8Alone() throws {
        let packed = try ModelLoading.load("random-tiny", dtype: "bfloat16", prepack: true, console: Self.quiet, help: "")
        #expect(Self.isPacked(packed.model))
        let int8 = try ModelLoading.load("random-tiny", dtype: "bfloat16", precision: .int8, prepack: true,
                                         console: Self.quiet, help: "")
        int8.willRun(tiles: 10)
        #expect(int8.model.linearPrecision == .int8)
        #expect(!Self.isPacked(int8.model))
    }
}
