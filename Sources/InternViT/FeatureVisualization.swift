import Imaging
import Tensor

/// The DINO-style picture of patch features: the first three principal components of
/// the patch tokens mapped to red, green and blue.
public enum FeatureVisualization {
    /// Colours for an `h` × `w` grid of patch features `[h·w, D]`: the features are
    /// centred, projected on the top three principal components (power iteration with
    /// deflation on the D×D covariance), and each component min-max scaled to 0…255.
    public static func principalComponents(_ features: Tensor<Float>, gridHeight h: Int, gridWidth w: Int) -> RGBImage {
        precondition(features.rank == 2 && features.shape[0] == h * w, "features \(features.shape) for a \(h)x\(w) grid")
        let d = features.shape[1]
        let centred = features - features.mean(axis: 0, keepingDimension: true)      // [h·w, D]
        let covariance = centred.transposed().matmul(centred)                       // [D, D]
        var components: [Tensor<Float>] = []
        var matrix = covariance
        for index in 0..<3 {
            var v = Tensor<Float>.randomNormal([d, 1], seed: UInt64(index + 1))
            for _ in 0..<100 {
                v = matrix.matmul(v)
                let norm = v.squared().sum().squareRoot()
                if norm == 0 || !norm.isFinite { break }
                v = v / norm
            }
            components.append(v)
            let eigenvalue = (v.transposed().matmul(matrix).matmul(v)).item
            matrix = matrix - eigenvalue * v.matmul(v.transposed())                 // deflate
        }
        let projected = centred.matmul(Tensor.concatenate(components, axis: 1))     // [h·w, 3]
        var pixels = [UInt8](repeating: 0, count: h * w * 3)
        for c in 0..<3 {
            let column = projected.selecting(axis: 1, index: c).contiguous()
            let low = column.min(), high = column.max()
            let values = column.scalars
            for i in 0..<(h * w) {
                let t = high > low ? (values[i] - low) / (high - low) : 0.5
                pixels[i * 3 + c] = UInt8((t * 255).rounded())
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// `left` and `right` side by side (heights must match).
    public static func sideBySide(_ left: RGBImage, _ right: RGBImage) -> RGBImage {
        precondition(left.height == right.height, "heights differ")
        var out = RGBImage(width: left.width + right.width, height: left.height)
        for y in 0..<left.height {
            let row = y * out.width * 3
            out.pixels.replaceSubrange(row..<(row + left.width * 3),
                                       with: left.pixels[(y * left.width * 3)..<((y + 1) * left.width * 3)])
            out.pixels.replaceSubrange((row + left.width * 3)..<(row + out.width * 3),
                                       with: right.pixels[(y * right.width * 3)..<((y + 1) * right.width * 3)])
        }
        return out
    }

    /// Nearest-neighbour enlargement by an integer factor (crisp patch boundaries).
    public static func enlarged(_ image: RGBImage, by factor: Int) -> RGBImage {
        var out = RGBImage(width: image.width * factor, height: image.height * factor)
        for y in 0..<out.height {
            for x in 0..<out.width {
                let s = ((y / factor) * image.width + x / factor) * 3, d = (y * out.width + x) * 3
                out.pixels[d] = image.pixels[s]; out.pixels[d + 1] = image.pixels[s + 1]; out.pixels[d + 2] = image.pixels[s + 2]
            }
        }
        return out
    }
}
