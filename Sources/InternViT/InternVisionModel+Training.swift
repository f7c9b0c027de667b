import Autograd
import NN
import Tensor

// Differentiable forwards of the InternViT modules (Docs/Training.md): the inference
// maths on `Variable`s, parameters read from a `TrainingContext` by module and name, so a
// trained model saves under its checkpoint keys and loads with `InternViTCheckpoint`.
// Tests/InternViTTests/InternViTTrainingTests.swift checks each against the inference
// forward on the same weights.

extension InternVisionEmbeddings {
    /// `[B, 3, H, W] → [B, 1 + g², D]` on the tape, for images of the config's size (the
    /// stored g×g position grid is used as is; inference's bicubic resize for other sizes
    /// has no differentiable twin).
    public func callAsFunction(_ pixels: Variable, _ context: TrainingContext) -> Variable {
        let (h, w) = patchGrid(height: pixels.shape[2], width: pixels.shape[3])
        precondition(h == config.gridSize && w == config.gridSize,
                     "training needs \(config.imageSize)-pixel images (a \(config.gridSize)×\(config.gridSize) patch grid), got \(pixels.shape)")
        let batch = pixels.shape[0], d = config.hiddenSize
        let patches = patchEmbedding.patchTokens(pixels, context)                           // [B, g², D]
        let cls = context.parameter(self, "class_embedding") + Variable(.zeros([batch, 1, d])) // [B, 1, D]
        let tokens = Variable.concatenated([cls, patches], axis: 1)                          // [B, 1 + g², D]
        return tokens + context.parameter(self, "position_embedding")                        // + [1, 1 + g², D]
    }
}

extension InternAttention {
    /// `[B, N, D] → [B, N, D]` on the tape.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable { attention(x, context) }
}

extension InternMLP {
    /// `[B, N, D] → [B, N, D]` on the tape.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable { mlp(x, context) }
}

extension InternVisionEncoderLayer {
    /// `[B, N, D] → [B, N, D]` on the tape:
    /// `x + drop_path(ls1 ⊙ attn(norm1(x)))`, then `x + drop_path(ls2 ⊙ mlp(norm2(x)))`,
    /// with this layer's `dropPath` (active only when `context.isTraining`).
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        let attended = ls1(attn(norm1(x, context), context), context)                       // [B, N, D]
        let hidden = x + dropPath(attended, context)                                         // [B, N, D]
        let transformed = ls2(mlp(norm2(hidden, context), context), context)                 // [B, N, D]
        return hidden + dropPath(transformed, context)
    }
}

extension InternVisionEncoder {
    /// `[B, N, D] → [B, N, D]` through every layer on the tape.
    public func callAsFunction(_ x: Variable, _ context: TrainingContext) -> Variable {
        layers.reduce(x) { $1($0, context) }
    }
}

extension InternVisionModel {
    /// `pixel_values [B, 3, S, S] → last_hidden_state [B, 1 + g², D]` on the tape (S the
    /// config's `image_size`). The class token is row 0 (`pooler_output`).
    public func callAsFunction(_ pixels: Variable, _ context: TrainingContext) -> Variable {
        precondition(pixels.rank == 4 && pixels.shape[1] == config.numChannels,
                     "pixel_values must be [B, \(config.numChannels), H, W], got \(pixels.shape)")
        return encoder(embeddings(pixels, context), context)
    }
}
