import NN
import NNTesting
import Tensor
import Testing

/// The plain attention (`AttentionReference`, `MultiHeadAttention.referenceForward`)
/// against PyTorch, and the fused `AttentionKernel` against the plain one on odd shapes.
@Suite struct AttentionReferenceTests {
    /// The readable definition gives PyTorch's numbers (fused qkv, q/k RMSNorm with two
    /// query blocks, separate projections with a mask).
    @Test func referenceMatchesPyTorch() throws {
        let fused = MultiHeadAttention(dim: 64, heads: 4)
        let qkNorm = MultiHeadAttention(dim: 64, heads: 4, qkvBias: false, qkNormalization: .rms(epsilon: 1e-6))
        let separate = MultiHeadAttention(dim: 32, heads: 2, projections: .separate("query", "key", "value"),
                                          outputName: "dense")
        let fusedFixture = LayerFixture("attention_fused"), qkFixture = LayerFixture("attention_qknorm")
        let maskedFixture = LayerFixture("attention_masked")
        try fused.load(from: fusedFixture.weights())
        let (y, p) = fused.referenceForward(try fusedFixture.floatInput())
        expectClose(y, try fusedFixture.output(0), "fused qkv output")
        expectClose(p, try fusedFixture.output(1), "fused qkv probabilities")
        try qkNorm.load(from: qkFixture.weights())
        expectClose(qkNorm.referenceForward(try qkFixture.floatInput()).output, try qkFixture.output(), "q/k norm")
        try separate.load(from: maskedFixture.weights())
        let (ym, pm) = separate.referenceForward(try maskedFixture.floatInput(0), mask: try maskedFixture.floatInput(1))
        expectClose(ym, try maskedFixture.output(0), "separate + mask output")
        expectClose(pm, try maskedFixture.output(1), "separate + mask probabilities")
    }

    struct Shape: CustomTestStringConvertible, Sendable {
        let batch, queries, keys, heads, headDim: Int
        let masked: Bool
        var testDescription: String { "B\(batch) Nq\(queries) Nk\(keys) H\(heads) hd\(headDim)\(masked ? " masked" : "")" }
    }

    /// Odd sizes: one query, one key, a head width of 1, widths that are not a multiple of
    /// the SIMD width, more queries than one block (256) and a partial last block,
    /// cross-attention (Nq ≠ Nk), masks.
    static let shapes: [Shape] = [
        Shape(batch: 1, queries: 1, keys: 1, heads: 1, headDim: 1, masked: false),
        Shape(batch: 2, queries: 7, keys: 7, heads: 3, headDim: 5, masked: false),
        Shape(batch: 1, queries: 13, keys: 29, heads: 5, headDim: 7, masked: true),
        Shape(batch: 3, queries: 1, keys: 40, heads: 2, headDim: 17, masked: true),
        Shape(batch: 1, queries: 257, keys: 257, heads: 2, headDim: 16, masked: false),
        Shape(batch: 2, queries: 300, keys: 33, heads: 3, headDim: 9, masked: true),
    ]

    @Test(arguments: shapes)
    func fusedKernelMatchesReference(_ s: Shape) {
        let width = s.heads * s.headDim
        // q, k and v as column blocks of one fused projection: strided views, as the model passes them.
        let qFused = Tensor<Float>.randomNormal([s.batch, s.queries, 3 * width], seed: 1)       // [B, Nq, 3W]
        let kvFused = Tensor<Float>.randomNormal([s.batch, s.keys, 3 * width], std: 2, seed: 2) // [B, Nk, 3W]
        let q = qFused.sliced(axis: 2, 0..<width)                                               // [B, Nq, W]
        let k = kvFused.sliced(axis: 2, width..<(2 * width))                                    // [B, Nk, W]
        let v = kvFused.sliced(axis: 2, (2 * width)..<(3 * width))                              // [B, Nk, W]
        var mask: Tensor<Float>?
        if s.masked {
            // Hide every third key from the first query's row upward; keep key 0 visible.
            let values = (0..<(s.queries * s.keys)).map { i -> Float in
                let key = i % s.keys
                return key > 0 && key % 3 == 0 ? -.infinity : Float(key % 5) * 0.25
            }
            mask = Tensor(values, shape: [1, s.queries, s.keys])                                // [1, Nq, Nk]
        }
        let scale = 1 / Float(s.headDim).squareRoot()
        let fused = AttentionKernel.attention(q: q, k: k, v: v, heads: s.heads, scale: scale, mask: mask,
                                              returnProbabilities: true)
        let plain = AttentionReference.attention(q: q, k: k, v: v, heads: s.heads, scale: scale, mask: mask)
        expectClose(fused.output, plain.output, "\(s.testDescription) output")
        if let probabilities = fused.probabilities {
            expectClose(probabilities, plain.probabilities, "\(s.testDescription) probabilities")
        } else {
            Issue.record("no probabilities returned")
        }
    }
}
