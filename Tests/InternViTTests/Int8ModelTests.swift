import InternViT
import NN
import Tensor
import Testing

/// The int8 linear layers of `quantiseLinearLayers(to: .int8)` (issue 16) on a small random
/// InternViT: close to the float32 forward, and changing what the layers compute.
@Suite struct Int8ModelTests {
    @Test func int8ForwardTracksFloat32() {
        let model = InternVisionModel.random(config: ConcurrentForwardTests.smallConfig, seed: 3)
        let pixels = Tensor<Float>.randomNormal([1, 3, 112, 112], seed: 1)  // [1, 3, H, W]
        let float32 = model(pixels).scalars  // [1, 65, 128]
        model.quantiseLinearLayers(to: .int8)
        let int8 = model(pixels).scalars  // [1, 65, 128]
        #expect(int8 != float32)
        var diff: Double = 0, norm: Double = 0
        for i in 0..<float32.count {
            diff += Double(int8[i] - float32[i]) * Double(int8[i] - float32[i])
            norm += Double(float32[i]) * Double(float32[i])
        }
        #expect((diff / norm).squareRoot() <= 1.2e-2)
        let width = 128
        for token in 0..<(float32.count / width) {
            var dot: Double = 0, a: Double = 0, b: Double = 0
            for j in 0..<width {
                let x = Double(int8[token * width + j]), y = Double(float32[token * width + j])
                dot += x * y; a += x * x; b += y * y
            }
            #expect(dot / (a * b).squareRoot() >= 0.999)
        }
    }
}
