import Autograd
import Tensor

/// A toy ViT with InternViT's structure: 2×2 patch embedding of an 8×8 image, class
/// token, position embeddings, pre-norm blocks (attention, GELU MLP), final norm, head.
/// Parameters are named by their checkpoint keys.
struct DigitsViT {
    static let width = 64, heads = 4, depth = 2, hidden = 128, patch = 2, tokens = 17, classes = 10
    var parameters: [TrainedParameter]
    private var index: [String: Int] = [:]

    /// Seeded initialisation: weights N(0, 0.02), biases 0, norm weights 1.
    init(seed: UInt64) {
        let d = Self.width
        var shapes: [(String, [Int])] = [
            ("embeddings.patch_embedding.weight", [d, 1, Self.patch, Self.patch]), ("embeddings.patch_embedding.bias", [d]),
            ("embeddings.class_embedding", [1, 1, d]), ("embeddings.position_embedding", [1, Self.tokens, d]),
        ]
        for layer in 0..<Self.depth {
            let p = "encoder.layers.\(layer)."
            shapes += [
                (p + "norm1.weight", [d]), (p + "norm1.bias", [d]),
                (p + "attn.qkv.weight", [3 * d, d]), (p + "attn.qkv.bias", [3 * d]),
                (p + "attn.proj.weight", [d, d]), (p + "attn.proj.bias", [d]),
                (p + "norm2.weight", [d]), (p + "norm2.bias", [d]),
                (p + "mlp.fc1.weight", [Self.hidden, d]), (p + "mlp.fc1.bias", [Self.hidden]),
                (p + "mlp.fc2.weight", [d, Self.hidden]), (p + "mlp.fc2.bias", [d]),
            ]
        }
        shapes += [("norm.weight", [d]), ("norm.bias", [d]), ("head.weight", [Self.classes, d]), ("head.bias", [Self.classes])]
        parameters = shapes.enumerated().map { offset, entry in
            let (path, shape) = entry
            let value: Tensor<Float> = path.hasSuffix("norm1.weight") || path.hasSuffix("norm2.weight") || path == "norm.weight"
                ? .ones(shape)
                : path.hasSuffix(".bias") ? .zeros(shape) : .randomNormal(shape, std: 0.02, seed: seed &+ UInt64(offset) &* 7919)
            return TrainedParameter(path: path, value: value)
        }
        for (position, parameter) in parameters.enumerated() { index[parameter.path] = position }
    }

    /// The parameter at checkpoint key `path`.
    func callAsFunction(_ path: String) -> Variable { parameters[index[path]!].variable }

    /// Logits `[B, 10]` of images `[B, 64]` (pixels 0…1).
    func logits(_ images: Tensor<Float>) -> Variable {
        let b = images.shape[0], d = Self.width, h = Self.heads, n = Self.tokens
        let x = Variable(images.reshaped([b, 1, 8, 8])) // [B, 1, 8, 8]
        let patchWeight = self("embeddings.patch_embedding.weight").reshaped([d, Self.patch * Self.patch]) // [D, 4]
        let patches = x.patches(size: Self.patch).linear(weight: patchWeight, bias: self("embeddings.patch_embedding.bias")) // [B, 16, D]
        let classToken = self("embeddings.class_embedding") + Variable(.zeros([b, 1, d])) // [B, 1, D]
        var tokens = Variable.concatenated([classToken, patches], axis: 1) + self("embeddings.position_embedding") // [B, N, D]
        for layer in 0..<Self.depth {
            let p = "encoder.layers.\(layer)."
            let normed = tokens.layerNorm(weight: self(p + "norm1.weight"), bias: self(p + "norm1.bias")) // [B, N, D]
            let qkv = normed.linear(weight: self(p + "attn.qkv.weight"), bias: self(p + "attn.qkv.bias")) // [B, N, 3D]
            let split = qkv.reshaped([b, n, 3, h, d / h]).permuted([2, 0, 3, 1, 4]) // [3, B, H, N, d]
            func part(_ i: Int) -> Variable { split.sliced(axis: 0, i..<(i + 1)).reshaped([b, h, n, d / h]) }
            let attended = Variable.attention(query: part(0), key: part(1), value: part(2),
                                              scale: 1 / Float(d / h).squareRoot()) // [B, H, N, d]
            let merged = attended.permuted([0, 2, 1, 3]).reshaped([b, n, d]) // [B, N, D]
            tokens = tokens + merged.linear(weight: self(p + "attn.proj.weight"), bias: self(p + "attn.proj.bias"))
            let normed2 = tokens.layerNorm(weight: self(p + "norm2.weight"), bias: self(p + "norm2.bias")) // [B, N, D]
            let hidden = normed2.linear(weight: self(p + "mlp.fc1.weight"), bias: self(p + "mlp.fc1.bias")).gelu() // [B, N, 4D]
            tokens = tokens + hidden.linear(weight: self(p + "mlp.fc2.weight"), bias: self(p + "mlp.fc2.bias"))
        }
        let final = tokens.layerNorm(weight: self("norm.weight"), bias: self("norm.bias")) // [B, N, D]
        let pooled = final.sliced(axis: 1, 0..<1).reshaped([b, d]) // [B, D]
        return pooled.linear(weight: self("head.weight"), bias: self("head.bias")) // [B, 10]
    }
}
