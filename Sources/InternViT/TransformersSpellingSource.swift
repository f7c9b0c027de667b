import NN
import Tensor

/// An InternViT checkpoint in transformers' "-hf" spelling (InternVL3-*-hf), seen under
/// the original key names, so the same model loads it.
///
/// | transformers (`InternVLVisionModel`)                   | original (`InternVisionModel`) |
/// |---|---|
/// | `embeddings.cls_token`                                 | `embeddings.class_embedding` |
/// | `embeddings.position_embeddings`                       | `embeddings.position_embedding` |
/// | `embeddings.patch_embeddings.projection.*`             | `embeddings.patch_embedding.*` |
/// | `encoder.layer.{i}.attention.{q,k,v}_proj.*` (three)   | `encoder.layers.{i}.attn.qkv.*` (rows q, k, v) |
/// | `encoder.layer.{i}.attention.projection_layer.*`       | `encoder.layers.{i}.attn.proj.*` |
/// | `encoder.layer.{i}.attention.{q,k}_norm.weight`        | `encoder.layers.{i}.attn.{q,k}_norm.weight` |
/// | `encoder.layer.{i}.layernorm_before/after.*`           | `encoder.layers.{i}.norm1/norm2.*` |
/// | `encoder.layer.{i}.lambda_1/lambda_2`                  | `encoder.layers.{i}.ls1/ls2` |
/// | `encoder.layer.{i}.mlp.fc1/fc2.*`                      | `encoder.layers.{i}.mlp.fc1/fc2.*` |
///
/// The fused qkv tensors are concatenated from the three projections when read. Keys
/// under the prefix that have no counterpart keep a marked name, so a strict load
/// reports them as unexpected rather than silently ignoring them.
public struct TransformersSpellingSource: TensorSource {
    public let base: any TensorSource
    /// Original name → stored names (three for a fused qkv, otherwise one).
    private let parts: [String: [String]]
    public let tensorNames: [String]

    /// - Parameter prefix: where the vision tower sits, e.g. `vision_tower.` (with the dot),
    ///   or empty for a bare `InternVLVisionModel` checkpoint.
    public init(_ base: any TensorSource, prefix: String) {
        self.base = base
        var parts: [String: [String]] = [:]
        var names: [String] = []
        var qkv: [String: [String: String]] = [:]   // original qkv key → (q|k|v) → stored
        for stored in base.tensorNames where stored.hasPrefix(prefix) {
            let key = String(stored.dropFirst(prefix.count))
            if let (fused, role) = Self.qkvPart(key) {
                if qkv[fused] == nil { names.append(fused) }
                qkv[fused, default: [:]][role] = stored
                continue
            }
            let name = Self.originalName(key) ?? "unrecognised(\(stored))"
            parts[name] = [stored]
            names.append(name)
        }
        for (fused, roles) in qkv {
            if let q = roles["q"], let k = roles["k"], let v = roles["v"] {
                parts[fused] = [q, k, v]
            } else {
                // An incomplete triple cannot form qkv: expose what is there as unexpected.
                names.removeAll { $0 == fused }
                for stored in roles.values {
                    parts["unrecognised(\(stored))"] = [stored]
                    names.append("unrecognised(\(stored))")
                }
            }
        }
        self.parts = parts
        tensorNames = names
    }

    public var sourceDescription: String { base.sourceDescription }

    /// `encoder.layer.3.attention.q_proj.weight` → (`encoder.layers.3.attn.qkv.weight`, "q").
    static func qkvPart(_ key: String) -> (String, String)? {
        let pieces = key.split(separator: ".").map(String.init)
        guard pieces.count == 6, pieces[0] == "encoder", pieces[1] == "layer", Int(pieces[2]) != nil,
              pieces[3] == "attention", ["q_proj", "k_proj", "v_proj"].contains(pieces[4]) else { return nil }
        return ("encoder.layers.\(pieces[2]).attn.qkv.\(pieces[5])", String(pieces[4].prefix(1)))
    }

    /// The original name of every other transformers key, or nil if there is none.
    static func originalName(_ key: String) -> String? {
        let fixed = ["embeddings.cls_token": "embeddings.class_embedding",
                     "embeddings.position_embeddings": "embeddings.position_embedding",
                     "embeddings.patch_embeddings.projection.weight": "embeddings.patch_embedding.weight",
                     "embeddings.patch_embeddings.projection.bias": "embeddings.patch_embedding.bias"]
        if let name = fixed[key] { return name }
        let pieces = key.split(separator: ".").map(String.init)
        guard pieces.count >= 4, pieces[0] == "encoder", pieces[1] == "layer", let layer = Int(pieces[2]) else { return nil }
        let rest = pieces[3...].joined(separator: ".")
        let renames = ["lambda_1": "ls1", "lambda_2": "ls2",
                       "attention.projection_layer.weight": "attn.proj.weight",
                       "attention.projection_layer.bias": "attn.proj.bias",
                       "attention.q_norm.weight": "attn.q_norm.weight", "attention.k_norm.weight": "attn.k_norm.weight",
                       "layernorm_before.weight": "norm1.weight", "layernorm_before.bias": "norm1.bias",
                       "layernorm_after.weight": "norm2.weight", "layernorm_after.bias": "norm2.bias",
                       "mlp.fc1.weight": "mlp.fc1.weight", "mlp.fc1.bias": "mlp.fc1.bias",
                       "mlp.fc2.weight": "mlp.fc2.weight", "mlp.fc2.bias": "mlp.fc2.bias"]
        return renames[rest].map { "encoder.layers.\(layer).\($0)" }
    }

    public func info(named name: String) -> TensorInfo? {
        guard let stored = parts[name] else { return nil }
        let infos = stored.compactMap { base.info(named: $0) }
        guard infos.count == stored.count, let first = infos.first else { return nil }
        if infos.count == 1 { return TensorInfo(name: name, dtype: first.dtype, shape: first.shape) }
        guard infos.allSatisfy({ $0.dtype == first.dtype && Array($0.shape.dropFirst()) == Array(first.shape.dropFirst()) }),
              !first.shape.isEmpty else {
            return TensorInfo(name: name, dtype: first.dtype, shape: [-1])    // inconsistent parts: a shape mismatch
        }
        return TensorInfo(name: name, dtype: first.dtype,
                          shape: [infos.reduce(0) { $0 + $1.shape[0] }] + Array(first.shape.dropFirst()))
    }

    public func tensor(named name: String) throws -> AnyTensor {
        guard let stored = parts[name] else {
            throw TensorIOError(.missingTensor, file: sourceDescription, tensor: name, "no such tensor in the checkpoint")
        }
        let tensors = try stored.map { try base.tensor(named: $0) }
        if tensors.count == 1 { return tensors[0] }
        switch tensors[0] {
        case .bfloat16:
            return .bfloat16(Tensor.concatenate(tensors.compactMap { $0.tensor(as: BFloat16.self) }, axis: 0))
        case .float16:
            return .float16(Tensor.concatenate(tensors.compactMap { $0.tensor(as: Half.self) }, axis: 0))
        default:
            return .float32(Tensor.concatenate(tensors.map { $0.toFloat() }, axis: 0))
        }
    }
}
