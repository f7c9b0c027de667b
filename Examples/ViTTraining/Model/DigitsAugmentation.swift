import Foundation
import Tensor

/// Random affine distortion of 8×8 digit images, for training (the PyTorch twin's
/// `augmented` in Scripts/bench_vit_train_torch.py does the same maths).
///
/// Each image is rotated by U(−`rotation`, `rotation`) degrees and scaled by
/// U(1 − `scale`, 1 + `scale`) about its centre (3.5, 3.5), then shifted by U(−`shift`,
/// `shift`) pixels in x and y. An output pixel (x, y) reads the source at
/// `R(−θ)/s · ((x, y) − c − t) + c` by bilinear interpolation, zero outside the image.
public struct DigitsAugmentation: Sendable {
    /// Largest rotation, degrees.
    public var rotation: Float
    /// Largest relative change of size.
    public var scale: Float
    /// Largest shift, pixels.
    public var shift: Float

    /// The distortion ranges (all 0: no augmentation).
    public init(rotation: Float, scale: Float, shift: Float) {
        self.rotation = rotation; self.scale = scale; self.shift = shift
    }

    /// `image` (64 values, row-major) distorted with numbers drawn from `generator`.
    public func apply(_ image: ArraySlice<Float>, generator: inout SeededGenerator) -> [Float] {
        func uniform() -> Float { Float(2 * generator.nextUnitDouble() - 1) }
        let angle = uniform() * rotation * .pi / 180
        let factor = 1 + uniform() * scale
        let tx = uniform() * shift, ty = uniform() * shift
        let cosine = Float(cos(Double(angle))) / factor, sine = Float(sin(Double(angle))) / factor
        let source = Array(image)
        var output = [Float](repeating: 0, count: 64)
        for y in 0..<8 {
            for x in 0..<8 {
                let ox = Float(x) - 3.5 - tx, oy = Float(y) - 3.5 - ty
                let sx = cosine * ox + sine * oy + 3.5, sy = -sine * ox + cosine * oy + 3.5
                let x0 = sx.rounded(.down), y0 = sy.rounded(.down)
                let fx = sx - x0, fy = sy - y0
                var value: Float = 0
                for (dy, wy) in [(0, 1 - fy), (1, fy)] {
                    for (dx, wx) in [(0, 1 - fx), (1, fx)] {
                        let xi = Int(x0) + dx, yi = Int(y0) + dy
                        if (0..<8).contains(xi) && (0..<8).contains(yi) { value += source[yi * 8 + xi] * wx * wy }
                    }
                }
                output[y * 8 + x] = value
            }
        }
        return output
    }
}
