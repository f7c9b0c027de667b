import Foundation
import InternViT
import NN
import Testing
@testable import Tensor

/// `quantiseLinearLayers(to: .int8)` (issue 16): the int8 model against the float64
/// reference forward within the issue's bounds, the same bits from the AVX512-VNNI kernel
/// and the portable loops, and what quantising does to the parameters.
@Suite struct Int8ModelTests {
    /// rel-L2 and the smallest per-token cosine of `ours` against `reference` (`[B, N, C]`).
    static func fidelity(_ ours: Tensor<Float>, _ reference: Tensor<Float>) -> (relativeL2: Double, minCosine: Double) {
        let a = ours.scalars, b = reference.scalars
        let width = reference.shape[reference.rank - 1]
        var diff = 0.0, norm = 0.0, minCosine = 1.0
        for token in 0..<(b.count / width) {
            var dot = 0.0, aa = 0.0, bb = 0.0
            for j in (token * width)..<((token + 1) * width) {
                let x = Double(a[j]), y = Double(b[j])
                diff += (x - y) * (x - y); norm += y * y
                dot += x * y; aa += x * x; bb += y * y
            }
            minCosine = Swift.min(minCosine, dot / (aa * bb).squareRoot())
        }
        return ((diff / norm).squareRoot(), minCosine)
    }

    /// The issue's bounds (what PyTorch bf16 reaches against float64 on the 300M model):
    /// rel-L2 ≤ 1.2e-2, every token's cosine ≥ 0.9998; and the int8 output differs from
    /// the float32 one (the integer path really ran).
    @Test(arguments: InternViTFixtures.cases)
    func int8ForwardMeetsTheFidelityBoundsAgainstFloat64(_ name: String) throws {
        let key = "internvit-tiny300m_\(name)"
        let model = try InternViTCheckpoint.load(InternViTFixtures.checkpoint("internvit-tiny300m"))
        let pixels = try InternViTFixtures.array(key + "_pixels")  // [1, 3, H, W]
        let reference = try InternViTFixtures.array(key + "_last_hidden_state")  // [1, N, C]
        let float32 = model(pixels)  // [1, N, C]
        model.quantiseLinearLayers(to: .int8)
        #expect(model.linearPrecision == .int8)
        let int8 = model(pixels)  // [1, N, C]
        #expect(int8.shape == reference.shape)
        #expect(int8.scalars != float32.scalars)
        let (relativeL2, minCosine) = Self.fidelity(int8, reference)
        if ProcessInfo.processInfo.environment["INTERNVIT_TEST_VERBOSE"] != nil {
            print("int8 fidelity \(key): rel-L2 \(relativeL2), min token cosine \(minCosine)")
        }
        #expect(relativeL2 <= 1.2e-2, "\(key): rel-L2 \(relativeL2)")
        #expect(minCosine >= 0.9998, "\(key): min token cosine \(minCosine)")
    }

    /// Every kernel table (the VNNI micro-kernel runs under the AVX-512 table on a CPU with
    /// AVX512-VNNI, the portable integer loops under the others) and 1 or 2 threads give
    /// the same bytes for the int8 forward, alone or as the first of a batch.
    @Test func int8ForwardBitsAreTheSameForEveryTableAndThreadCount() {
        let model = ReproducibilityTests.smallModel()
        model.quantiseLinearLayers(to: .int8)
        let pixels = Tensor<Float>.randomUniform([3, 3, 84, 84], low: -2, high: 2, seed: 9)  // [B, 3, H, W]
        let first = pixels.sliced(axis: 0, 0..<1).contiguous()  // [1, 3, H, W]
        let expected = KernelDispatch.withTable(.portable) {
            ComputeThreads.withCount(1) { model(first).scalars.map(\.bitPattern) }  // [1, N, C]
        }
        var ranVNNI = false
        for table in KernelDispatch.supported {
            for threads in [1, 2] {
                let (single, batched, vnni) = KernelDispatch.withTable(table) {
                    ComputeThreads.withCount(threads) {
                        (model(first).scalars.map(\.bitPattern),
                         model(pixels).sliced(axis: 0, 0..<1).contiguous().scalars.map(\.bitPattern),  // [1, N, C]
                         Int8GEMM.usesVNNI)
                    }
                }
                ranVNNI = ranVNNI || vnni
                #expect(single == expected, "\(table.kind), \(threads) threads, one tile")
                #expect(batched == expected, "\(table.kind), \(threads) threads, first of 3 tiles")
            }
        }
        if CPUFeatures.host.avx512vnni && Int8GEMM.vnniCompiled && KernelDispatch.supported.contains(where: { $0.kind == .avx512 }) {
            #expect(ranVNNI, "this CPU has AVX512-VNNI: the VNNI kernel must have been compared")
        }
    }

    /// Quantising keeps names and shapes, holds 1 byte per weight, reads back as the
    /// dequantised values (what `save` writes), and `frozen()` keeps the int8 weights.
    @Test func quantisedParametersKeepTheirNamesAndFreezeAsInt8() throws {
        let model = ReproducibilityTests.smallModel()
        let before = model.namedParameters()
        let fc1 = model.encoder.layers[0].mlp.mlp.fc1
        let original = fc1.weight.float  // [out, in]
        model.quantiseLinearLayers(to: .int8)
        let after = model.namedParameters()
        #expect(after.map(\.path) == before.map(\.path))
        #expect(after.map(\.weight.shape) == before.map(\.weight.shape))
        let quantised = after.filter { $0.weight.dtype == .int8 }.map(\.path)
        #expect(quantised.count == 2 * 4, "qkv, proj, fc1, fc2 of both layers: \(quantised)")
        #expect(quantised.allSatisfy { $0.hasSuffix(".weight") })
        guard case .int8(let weights) = fc1.weight else { Issue.record("fc1 is not int8"); return }
        #expect(weights.byteCount < original.count * 2)
        // Dequantised values are within half a step (max |w| / 254) of the originals.
        let back = fc1.weight.float.scalars, values = original.scalars
        let k = fc1.inFeatures
        var worst: Float = 0  // largest |error| / half step over all weights
        for row in 0..<fc1.outFeatures {
            let largest = values[(row * k)..<((row + 1) * k)].map(abs).max()!
            for j in (row * k)..<((row + 1) * k) { worst = Swift.max(worst, abs(back[j] - values[j]) / (largest / 254)) }
        }
        #expect(worst <= 1.001, "dequantised weights off by \(worst) half steps")
        let pixels = Tensor<Float>.randomUniform([1, 3, 84, 84], low: -2, high: 2, seed: 4)  // [1, 3, H, W]
        let frozen = try model.frozen()
        #expect(frozen(pixels).scalars == model(pixels).scalars)
    }
}
