import NN
import Tensor

/// Pixels to tokens: patch embedding, a class token, and position embeddings
/// (reference: `InternVisionEmbeddings`).
///
/// ```
/// pixel_values                 [B, 3, H, W]
/// patch_embedding (conv P×P/P) [B, h·w, D]      h = ⌊H/P⌋, w = ⌊W/P⌋, row-major patches
/// cat(class_embedding, ·)      [B, 1 + h·w, D]
/// + position_embedding         row 0 for the class token; rows 1… resized from the
///                              stored g×g grid to h×w (PyTorch bicubic, float32)
/// ```
/// No dropout and no pre-norm follow.
public final class InternVisionEmbeddings: Module {
    public let config: InternVisionConfig
    /// `embeddings.class_embedding` `[1, 1, D]`.
    public var classEmbedding: Weight
    /// `embeddings.patch_embedding` (Conv2d 3→D, kernel = stride = P).
    public let patchEmbedding: Conv2d
    /// `embeddings.position_embedding` `[1, 1 + g², D]`.
    public var positionEmbedding: Weight

    public init(config: InternVisionConfig) {
        self.config = config
        let d = config.hiddenSize
        classEmbedding = .declared(shape: [1, 1, d])
        patchEmbedding = Conv2d(config.numChannels, d, kernel: config.patchSize, stride: config.patchSize)
        positionEmbedding = .declared(shape: [1, 1 + config.gridSize * config.gridSize, d])
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit("class_embedding", &classEmbedding)
        visitor.visit(child: "patch_embedding", patchEmbedding)
        visitor.visit("position_embedding", &positionEmbedding)
    }

    /// `[B, 3, H, W] → [B, 1 + h·w, D]`.
    public func callAsFunction(_ pixels: Tensor<Float>) -> Tensor<Float> {
        let batch = pixels.shape[0], d = config.hiddenSize
        let (h, w) = patchGrid(height: pixels.shape[2], width: pixels.shape[3])
        let patches = patchEmbedding.patchTokens(pixels)                                    // [B, h·w, D]
        let cls = classEmbedding.float.expanded(to: [batch, 1, d])                         // [B, 1, D]
        let tokens = Tensor.concatenate([cls, patches], axis: 1)                           // [B, 1 + h·w, D]
        return tokens + positionEmbeddings(height: h, width: w)                            // + [1, 1 + h·w, D]
    }

    /// Patches per column and per row for an image of `height` × `width` pixels (the
    /// convolution floors: trailing pixels that do not fill a patch are ignored).
    public func patchGrid(height: Int, width: Int) -> (Int, Int) {
        (height / config.patchSize, width / config.patchSize)
    }

    /// Position embeddings for an `h` × `w` patch grid: `[1, 1 + h·w, D]`. The class row
    /// is kept; the g×g grid rows are resized like the reference's `_get_pos_embed`
    /// (float32, bicubic, `align_corners=False`), which is the identity at g×g.
    public func positionEmbeddings(height h: Int, width w: Int) -> Tensor<Float> {
        let table = positionEmbedding.float                                                // [1, 1 + g², D]
        let g = config.gridSize, d = config.hiddenSize
        let classRow = table.sliced(axis: 1, 0..<1)                                        // [1, 1, D]
        if h == g && w == g { return table }
        let grid = table.sliced(axis: 1, 1..<(1 + g * g)).reshaped([1, g, g, d])           // [1, g, g, D]
            .permuted(0, 3, 1, 2)                                                          // [1, D, g, g]
        let resized = grid.bicubicResized(height: h, width: w)                             // [1, D, h, w]
            .permuted(0, 2, 3, 1).reshaped([1, h * w, d])                                  // [1, h·w, D]
        return Tensor.concatenate([classRow, resized], axis: 1)
    }
}
