import Foundation
import NN
import Tensor

/// The configuration of a Hugging Face `BertModel` (`config.json`).
public struct BertConfig: Sendable {
    public var vocabSize = 30522, hiddenSize = 384, numHiddenLayers = 6, numAttentionHeads = 12
    public var intermediateSize = 1536, maxPositionEmbeddings = 512, typeVocabSize = 2
    public var layerNormEps: Float = 1e-12
    /// `hidden_act`, applied after `intermediate.dense`.
    public var hiddenAct = Activation.gelu

    public init() {}

    /// Reads `config.json` through NN's `ConfigReader` (wrong types and out-of-range
    /// values are `ConfigError`s naming the key).
    public init(contentsOf url: URL) throws {
        let r = try ConfigReader(contentsOf: url)
        vocabSize = try r.int("vocab_size", in: 1...(1 << 22)) ?? vocabSize
        hiddenSize = try r.int("hidden_size", in: 1...(1 << 16)) ?? hiddenSize
        numHiddenLayers = try r.int("num_hidden_layers", in: 1...1024) ?? numHiddenLayers
        numAttentionHeads = try r.int("num_attention_heads", in: 1...hiddenSize) ?? numAttentionHeads
        intermediateSize = try r.int("intermediate_size", in: 1...(1 << 18)) ?? intermediateSize
        maxPositionEmbeddings = try r.int("max_position_embeddings", in: 1...(1 << 16)) ?? maxPositionEmbeddings
        typeVocabSize = try r.int("type_vocab_size", in: 1...1024) ?? typeVocabSize
        layerNormEps = try r.positiveFloat("layer_norm_eps") ?? layerNormEps
        hiddenAct = try r.activation("hidden_act") ?? hiddenAct
        guard hiddenSize % numAttentionHeads == 0 else {
            throw r.error("hidden_size", "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
    }
}

/// A problem with a MiniLM model directory or input.
public struct MiniLMError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Hugging Face's `BertModel` (post-norm transformer), with its checkpoint key names:
///
/// ```
/// embeddings: LayerNorm(word_embeddings[ids] + position_embeddings[0..<N] + token_type_embeddings[0])
/// encoder.layer.{i}:
///   h = attention.output.LayerNorm(x + attention.output.dense(self-attention(x, mask)))
///   x = output.LayerNorm(h + output.dense(GELU(intermediate.dense(h))))
/// pooler.dense (+ tanh) on the first token (kept for strict loading; sentence embeddings
/// use mean pooling instead)
/// ```
public final class BertModel: Module {
    public let config: BertConfig
    let wordEmbeddings: Embedding, positionEmbeddings: Embedding, tokenTypeEmbeddings: Embedding
    let embeddingNorm: LayerNorm
    let layers: [BertLayer]
    let pooler: Linear

    public init(config: BertConfig) {
        self.config = config
        wordEmbeddings = Embedding(config.vocabSize, config.hiddenSize)
        positionEmbeddings = Embedding(config.maxPositionEmbeddings, config.hiddenSize)
        tokenTypeEmbeddings = Embedding(config.typeVocabSize, config.hiddenSize)
        embeddingNorm = LayerNorm(config.hiddenSize, epsilon: config.layerNormEps)
        layers = (0..<config.numHiddenLayers).map { _ in BertLayer(config: config) }
        pooler = Linear(config.hiddenSize, config.hiddenSize)
    }

    public func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "embeddings.word_embeddings", wordEmbeddings)
        visitor.visit(child: "embeddings.position_embeddings", positionEmbeddings)
        visitor.visit(child: "embeddings.token_type_embeddings", tokenTypeEmbeddings)
        visitor.visit(child: "embeddings.LayerNorm", embeddingNorm)
        visitor.visit(list: "encoder.layer", layers)
        visitor.visit(child: "pooler.dense", pooler)
    }

    /// Token ids `[B, N]` and the attention mask (1 real, 0 padding) → hidden states `[B, N, D]`.
    public func callAsFunction(ids: Tensor<Int32>, mask: Tensor<Int32>) -> Tensor<Float> {
        let (b, n) = (ids.shape[0], ids.shape[1])
        precondition(n <= config.maxPositionEmbeddings, "sequence of \(n) tokens exceeds \(config.maxPositionEmbeddings) positions")
        let positions = Tensor<Int32>.arange(n)
        var x = wordEmbeddings(ids)                                           // [B, N, D]
        x += positionEmbeddings(positions)                                    // + [N, D]
        x += tokenTypeEmbeddings(Tensor<Int32>.zeros([1]))                    // + [1, D] (segment 0)
        x = embeddingNorm(x)
        // Additive mask [B, 1, N]: 0 for real tokens, float32's lowest for padding (as HF).
        let additive = Tensor<Float>(mask.scalars.map { $0 == 0 ? -Float.greatestFiniteMagnitude : 0 }, shape: [b, 1, n])
        for layer in layers { x = layer(x, mask: additive) }
        return x
    }
}

/// `encoder.layer.{i}`.
final class BertLayer: Module {
    let attention: MultiHeadAttention
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm
    let activation: Activation

    init(config: BertConfig) {
        let d = config.hiddenSize
        activation = config.hiddenAct
        attention = MultiHeadAttention(dim: d, heads: config.numAttentionHeads,
                                       projections: .separate("self.query", "self.key", "self.value"), outputName: "output.dense")
        attentionNorm = LayerNorm(d, epsilon: config.layerNormEps)
        intermediate = Linear(d, config.intermediateSize)
        output = Linear(config.intermediateSize, d)
        outputNorm = LayerNorm(d, epsilon: config.layerNormEps)
    }

    func visitParameters(_ visitor: inout ParameterVisitor) {
        visitor.visit(child: "attention", attention)
        visitor.visit(child: "attention.output.LayerNorm", attentionNorm)
        visitor.visit(child: "intermediate.dense", intermediate)
        visitor.visit(child: "output.dense", output)
        visitor.visit(child: "output.LayerNorm", outputNorm)
    }

    func callAsFunction(_ x: Tensor<Float>, mask: Tensor<Float>) -> Tensor<Float> {
        let h = attentionNorm(x + attention(x, mask: mask))                  // [B, N, D]
        let inner = activation == .gelu ? intermediate(h, activation: .gelu) : activation(intermediate(h))   // [B, N, F]
        return outputNorm(h + output(inner))                                 // [B, N, D]
    }
}
