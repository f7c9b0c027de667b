import Foundation
import Imaging
import InternViT
import NN
import Tensor
import Testing

/// The worked answers of Docs/Exercises.md: each is computed here and the number the
/// page gives is looked up in the page, so the page cannot drift from the code.
@Suite struct ExercisesTests {
    static let page: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/Exercises.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    func expectOnPage(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!Self.page.isEmpty, "Docs/Exercises.md is missing", sourceLocation: sourceLocation)
        #expect(Self.page.contains(text), "Docs/Exercises.md does not say \"\(text)\"", sourceLocation: sourceLocation)
    }

    /// Exercise 1: 448 × 672 → 32 × 48 patches, 1537 tokens; FLOPs by the page's formula.
    @Test func tokensAndFLOPsAt448x672() {
        let c = InternVisionConfig.internViT300M
        let cost = c.computeCost(height: 448, width: 672)
        #expect(cost.tokens == 1537)
        // The page's derivation, term by term (n tokens, D = 1024, F = 4096, 24 layers).
        let n = 1537.0, d = 1024.0, f = 4096.0
        let perLayer = 2 * n * d * 3 * d + 2 * (2 * n * n * d) + 2 * n * d * d + 2 * (2 * n * d * f)
        let patch = 2 * 1536 * 588 * d
        #expect(cost.perLayer == perLayer && cost.patchEmbedding == patch)
        #expect((cost.total / 1e9 * 10).rounded() / 10 == 1162.4)
        #expect((perLayer / 1e9 * 1000).rounded() / 1000 == 48.356)
        expectOnPage("1537 tokens")
        expectOnPage("48.356 GFLOP per layer")
        expectOnPage("1162.4 GFLOP")
        // Attention's share grows with n²: 20.0 % of a layer at 448 × 672.
        let attention = (cost.attentionScores + cost.attentionValues) / cost.perLayer
        #expect((attention * 1000).rounded() / 10 == 20.0)
        expectOnPage("20.0 %")
    }

    /// Exercise 2: patch size 16 at 448 → 28 × 28 = 784 patches, 785 tokens; the patch
    /// embedding grows to 3·16·16·1024 + 1024 weights; the checkpoint no longer loads.
    @Test func patchSize16() throws {
        var c = InternVisionConfig.internViT300M
        c.patchSize = 16
        try c.validate()
        let model = InternVisionModel(config: c)
        #expect(c.computeCost().tokens == 785)
        let patchParameters = model.namedParameters().filter { $0.path.hasPrefix("embeddings.patch_embedding") }
            .reduce(0) { $0 + $1.weight.count }
        #expect(patchParameters == 787_456)
        #expect(model.positionEmbeddingCount == 785 * 1024)
        expectOnPage("785 tokens")
        expectOnPage("787,456")
        let cost = c.computeCost()
        #expect((cost.total / 1e9 * 10).rounded() / 10 == 535.9)
        expectOnPage("535.9 GFLOP")
        // A 14-pixel checkpoint does not load into it: the shapes are named.
        let tiny = InternViTFixtures.checkpoint("internvit-tiny300m")
        var tinyConfig = try InternVisionConfig(contentsOf: tiny)
        tinyConfig.patchSize = 16
        tinyConfig.imageSize = 80      // 5 × 5 patches: the position table changes too, as at 448
        let error = #expect(throws: ModuleLoadError.self) {
            try InternViTCheckpoint.load(config: tinyConfig, source: try Checkpoint.open(tiny))
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("embeddings.patch_embedding.weight") && message.contains("embeddings.position_embedding"),
                "\(message)")
    }

    /// Exercise 3: with random weights the features are (nearly) a fixed random function
    /// of each patch's own pixels, so their main directions of variation are the raw
    /// pixels' ones: the first principal component of the tokens correlates with the
    /// first principal component of the raw patches.
    @Test func randomFeaturesFollowThePixels() throws {
        let model = InternVisionModel(config: .tiny)
        model.initializeRandomly(seed: 0, dtype: .float32)
        var settings = CLIPImageProcessorConfig.internViT
        settings.cropHeight = 224; settings.cropWidth = 224; settings.size = .shortestEdge(224)
        let image = try ImageDecoder.decode(contentsOf: InternViTFixtures.root.deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ImagingTests/Fixtures/clip/landscape.png")).image
        let pixels = try CLIPImageProcessor(config: settings)(image)                              // [1, 3, 224, 224]
        let tokens = model(pixels).selecting(axis: 0, index: 0).sliced(axis: 0, 1..<257)       // [256, 64]
        let patches = pixels.reshaped([3, 16, 14, 16, 14]).permuted(1, 3, 0, 2, 4).reshaped([256, 588])   // [256, 588]
        let a = Self.firstComponentScores(tokens.contiguous()), b = Self.firstComponentScores(patches.contiguous())
        let correlation = Self.correlation(a, b)
        print("exercise 3: |corr| =", abs(correlation))
        #expect(abs(correlation) > 0.9)
    }

    /// Scores of the rows of `x` `[M, K]` on its first principal component: the top
    /// eigenvector of the centred Gram matrix `[M, M]` (power iteration).
    static func firstComponentScores(_ x: Tensor<Float>) -> [Double] {
        let centred = x - x.mean(axis: 0, keepingDimension: true)                              // [M, K]
        let gram = centred.matmul(centred.transposed())                                        // [M, M]
        var u = Tensor<Float>.randomNormal([x.shape[0], 1], seed: 5)                           // [M, 1]
        for _ in 0..<100 { u = gram.matmul(u); u = u / u.squared().sum().squareRoot() }
        return u.scalars.map { Double($0) }                                                    // [M]
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        let cov = zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +)
        let va = a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +), vb = b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +)
        return cov / (va * vb).squareRoot()
    }
}

extension InternVisionModel {
    /// Elements of the position table.
    var positionEmbeddingCount: Int { embeddings.positionEmbedding.count }
}
