import Foundation
import NN
import Tensor
import TestScratch
import Testing

/// `Linear.prepack()`: the weight packed once for the GEMM keeps its precision, its name
/// and shape, its values (read back and saved) and the layer's output bytes; a weight
/// borrowed from an in-memory file buffer is left unpacked (packing would keep the whole
/// buffer alive beside the copy).
@Suite struct LinearPrepackTests {
    /// A bf16 Linear(600 → 70) saved to a temporary safetensors file.
    static func savedLayer() throws -> (URL, Linear) {
        let layer = Linear(600, 70)
        layer.initializeParameters { path, shape in
            .bfloat16(Tensor<Float>.randomNormal(shape, seed: path == "weight" ? 1 : 2).converted(to: BFloat16.self))
        }
        let url = try ScratchFolder.make("nn-prepack").appendingPathComponent("layer.safetensors")
        try layer.save(to: url)
        return (url, layer)
    }

    @Test func aMappedWeightIsPackedWithTheSameValuesAndOutputBytes() throws {
        let (url, original) = try Self.savedLayer()
        let layer = Linear(600, 70)
        try layer.load(from: SafeTensorsFile(contentsOf: url, memoryMapped: true))
        let x = Tensor<Float>.randomNormal([2, 33, 600], seed: 3)                            // [B, N, in]
        let expected = layer(x, activation: .gelu).scalars.map(\.bitPattern)                // [B, N, out]
        layer.prepack()
        guard case .packed(let packed) = layer.weight else { Issue.record("a mapped weight was not packed"); return }
        #expect(packed.dtype == .bfloat16 && layer.weight.shape == [70, 600] && layer.weight.dtype == .bfloat16)
        #expect(layer(x, activation: .gelu).scalars.map(\.bitPattern) == expected)
        #expect(layer.weight.float.scalars == original.weight.float.scalars)

        // Saved again, the packed weight is the same bf16 tensor under the same key.
        let again = url.deletingLastPathComponent().appendingPathComponent("again.safetensors")
        try layer.save(to: again)
        guard case .bfloat16(let saved) = try SafeTensorsFile(contentsOf: again).tensor(named: "weight"),
              case .bfloat16(let stored) = original.weight else {
            Issue.record("the saved weight is not bfloat16"); return
        }
        #expect(saved.scalars.map(\.bitPattern) == stored.scalars.map(\.bitPattern))

        // Quantising a packed layer still works (from the same values).
        let reference = Linear(600, 70)
        try reference.load(from: SafeTensorsFile(contentsOf: url, memoryMapped: true))
        reference.quantise(to: .int8)
        layer.quantise(to: .int8)
        #expect(layer(x).scalars.map(\.bitPattern) == reference(x).scalars.map(\.bitPattern))
    }

    @Test func aWeightInAnInMemoryFileBufferIsLeftUnpacked() throws {
        let (url, _) = try Self.savedLayer()
        let layer = Linear(600, 70)
        try layer.load(from: SafeTensorsFile(contentsOf: url, memoryMapped: false))
        layer.prepack()
        guard case .bfloat16 = layer.weight else { Issue.record("an in-memory weight was packed: \(layer.weight.dtype as Any)"); return }
    }

    @Test func anOwnedFloat32WeightIsPacked() {
        let layer = Linear(40, 24)
        layer.initializeParameters { _, shape in .float32(Tensor<Float>.randomNormal(shape, seed: 5)) }
        let x = Tensor<Float>.randomNormal([9, 40], seed: 6)                                 // [N, in]
        let expected = layer(x).scalars.map(\.bitPattern)                                    // [N, out]
        layer.prepack()
        guard case .packed(let packed) = layer.weight else { Issue.record("not packed"); return }
        #expect(packed.dtype == .float32)
        #expect(layer(x).scalars.map(\.bitPattern) == expected)
        layer.prepack()   // a second call changes nothing
        #expect(layer(x).scalars.map(\.bitPattern) == expected)
    }
}
