import Foundation
import NN
import Tensor

/// sentence-transformers' all-MiniLM-L6-v2 pipeline: BERT, mean pooling over the attention
/// mask, L2 normalisation.
public struct SentenceEmbedder {
    public let model: BertModel
    public let tokenizer: WordPieceTokenizer

    /// Loads a model directory (config.json, model.safetensors, vocab.txt, and the
    /// sentence-transformers files for the sequence length and lower-casing).
    public static func load(_ directory: URL) throws -> SentenceEmbedder {
        let config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let model = BertModel(config: config)
        // `embeddings.position_ids` is a buffer (0…511), not a parameter: hidden from loading.
        let source = KeyMappedSource(try Checkpoint.open(directory)) { $0 == "embeddings.position_ids" ? nil : $0 }
        try model.load(from: source)
        var maxLength = config.maxPositionEmbeddings, lowercase = true
        if let data = (try? InputFile.read(directory.appendingPathComponent("sentence_bert_config.json").path, maximumBytes: InputFile.maximumJSONBytes)).map { Data($0) },
           let json = try? JSONValue.parse(data), let n = json["max_seq_length"]?.intValue {
            maxLength = Swift.min(n, maxLength)
        }
        if let data = (try? InputFile.read(directory.appendingPathComponent("tokenizer_config.json").path, maximumBytes: InputFile.maximumJSONBytes)).map { Data($0) },
           let json = try? JSONValue.parse(data), let flag = json["do_lower_case"]?.boolValue {
            lowercase = flag
        }
        let tokenizer = try WordPieceTokenizer(vocabulary: directory.appendingPathComponent("vocab.txt"),
                                               lowercase: lowercase, maxLength: maxLength)
        return SentenceEmbedder(model: model, tokenizer: tokenizer)
    }

    /// Normalised embeddings `[n, D]` of the sentences (one padded batch).
    public func embed(_ sentences: [String]) -> Tensor<Float> {
        let (ids, mask) = tokenizer.encodeBatch(sentences)
        let n = ids.first?.count ?? 0
        let idTensor = Tensor<Int32>(ids.flatMap { $0 }, shape: [sentences.count, n])
        let maskTensor = Tensor<Int32>(mask.flatMap { $0 }, shape: [sentences.count, n])
        let hidden = model(ids: idTensor, mask: maskTensor)                        // [B, N, D]
        let weights = maskTensor.toFloat().unsqueezed(axis: 2)                     // [B, N, 1]
        let summed = (hidden * weights).sum(axis: 1)                               // [B, D]
        let counts = weights.sum(axis: 1).maximum(Tensor(scalar: 1e-9))          // [B, 1]
        let pooled = summed / counts
        let norms = pooled.squared().sum(axis: 1, keepingDimension: true).sqrt().maximum(Tensor(scalar: 1e-12))
        return pooled / norms                                                      // [B, D]
    }
}
