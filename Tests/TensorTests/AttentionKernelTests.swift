import Foundation
import Testing
@testable import Tensor

/// The fused `AttentionKernel` against a plain float64 attention, on shapes that hit every
/// edge of its blocking: queries past whole blocks of 64 (one at a time up to
/// `remainderRows`, else a part-empty block), keys and head widths that are not multiples
/// of MR (5 or 6) or NR (16 or 64), fewer keys than a panel, fewer (batch, head) pairs than
/// threads, masks of every broadcast shape, and strided q/k/v views. Each shape runs under
/// every kernel table this CPU runs on 1 and 2 threads, and all of them must give the
/// same bytes.
@Suite(.serialized) struct AttentionKernelTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let batch, queries, keys, heads, headDim: Int
        /// The mask's leading shape: nil (no mask), [1, Nq], [B, 1] or [B, Nq].
        var mask: (batch: Bool, queries: Bool)? = nil
        var testDescription: String {
            let maskText = mask.map { " mask[\($0.batch ? "B" : "1"), \($0.queries ? "Nq" : "1"), Nk]" } ?? ""
            return "B\(batch) Nq\(queries) Nk\(keys) H\(heads) hd\(headDim)\(maskText)"
        }
    }

    static let shapes: [Shape] = [
        // InternViT's head (hd 64), 64·2 + 1 queries: two blocks and one query on its own.
        Shape(batch: 1, queries: 129, keys: 129, heads: 2, headDim: 64),
        // One head on two threads (the blocks are shared), a remainder of 5 (one at a time).
        Shape(batch: 1, queries: 197, keys: 197, heads: 1, headDim: 64),
        // A remainder of 7 (> remainderRows: a part-empty block), hd 32, three pairs on two threads.
        Shape(batch: 1, queries: 71, keys: 90, heads: 3, headDim: 32),
        // hd 80 and 128 (not multiples of MR, more than one NR of 64), fewer keys than 64.
        Shape(batch: 2, queries: 70, keys: 37, heads: 2, headDim: 80, mask: (batch: true, queries: true)),
        Shape(batch: 1, queries: 65, keys: 11, heads: 2, headDim: 128, mask: (batch: false, queries: true)),
        // Fewer queries than a block: all one at a time, or one part-empty block.
        Shape(batch: 3, queries: 3, keys: 50, heads: 1, headDim: 24, mask: (batch: true, queries: false)),
        Shape(batch: 1, queries: 40, keys: 1, heads: 4, headDim: 16),
        Shape(batch: 2, queries: 1, keys: 300, heads: 2, headDim: 64, mask: (batch: false, queries: false)),
        // Cross-attention: more keys than queries and the other way round.
        Shape(batch: 1, queries: 30, keys: 520, heads: 1, headDim: 8),
        Shape(batch: 1, queries: 600, keys: 7, heads: 2, headDim: 5),
    ]

    /// Softmax(scale · q·kᵀ + mask)·v in float64, one (batch, head, query) at a time.
    static func reference(q: [Float], k: [Float], v: [Float], mask: [Float]?, _ s: Shape, scale: Float)
        -> (output: [Double], probabilities: [Double]) {
        let width = s.heads * s.headDim
        var output = [Double](repeating: 0, count: s.batch * s.queries * width)
        var probabilities = [Double](repeating: 0, count: s.batch * s.heads * s.queries * s.keys)
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                for i in 0..<s.queries {
                    var scores = [Double](repeating: 0, count: s.keys)
                    for j in 0..<s.keys {
                        var dot = 0.0
                        for d in 0..<s.headDim {
                            dot += Double(q[(b * s.queries + i) * width + h * s.headDim + d])
                                * Double(k[(b * s.keys + j) * width + h * s.headDim + d])
                        }
                        scores[j] = Double(scale) * dot + (mask.map { Double($0[(b * s.queries + i) * s.keys + j]) } ?? 0)
                    }
                    let top = scores.max()!
                    let exps = scores.map { Foundation.exp($0 - top) }
                    let total = exps.reduce(0, +)
                    for j in 0..<s.keys {
                        let p = exps[j] / total
                        probabilities[((b * s.heads + h) * s.queries + i) * s.keys + j] = p
                        for d in 0..<s.headDim {
                            output[(b * s.queries + i) * width + h * s.headDim + d]
                                += p * Double(v[(b * s.keys + j) * width + h * s.headDim + d])
                        }
                    }
                }
            }
        }
        return (output, probabilities)
    }

    /// Largest |actual − expected| over the largest |expected|.
    static func relativeError(_ actual: [Float], _ expected: [Double]) -> Double {
        let scale = Swift.max(expected.map(abs).max() ?? 0, 1e-30)
        return zip(actual, expected).map { abs(Double($0) - $1) }.max().map { $0 / scale } ?? 0
    }

    @Test(arguments: shapes)
    func matchesPlainAttentionOnEveryTableAndThreadCount(_ s: Shape) throws {
        let width = s.heads * s.headDim
        // q, k and v as column slices of fused projections: strided views, as models pass them.
        let qFused = Tensor<Float>.randomNormal([s.batch, s.queries, 2 * width], seed: 21)          // [B, Nq, 2W]
        let kvFused = Tensor<Float>.randomNormal([s.batch, s.keys, 3 * width], std: 2, seed: 22)    // [B, Nk, 3W]
        let q = qFused.sliced(axis: 2, width..<(2 * width))                                         // [B, Nq, W]
        let k = kvFused.sliced(axis: 2, 0..<width)                                                  // [B, Nk, W]
        let v = kvFused.sliced(axis: 2, (2 * width)..<(3 * width))                                  // [B, Nk, W]
        var mask: Tensor<Float>?
        if let shape = s.mask {
            let mb = shape.batch ? s.batch : 1, mq = shape.queries ? s.queries : 1
            // −∞ on every fourth key past key 0 (shifted by batch and query), finite offsets elsewhere.
            let values = (0..<(mb * mq * s.keys)).map { index -> Float in
                let key = index % s.keys, row = index / s.keys
                return key > 0 && (key + row) % 4 == 0 ? -.infinity : Float((key + 2 * row) % 5) * 0.5 - 1
            }
            mask = Tensor(values, shape: [mb, mq, s.keys])                                          // [B|1, Nq|1, Nk]
        }
        let scale = 1 / Float(s.headDim).squareRoot()
        let expected = Self.reference(q: q.scalars, k: k.scalars, v: v.scalars,
                                      mask: mask?.expanded(to: [s.batch, s.queries, s.keys]).scalars, s, scale: scale)
        var first: (output: [Float], probabilities: [Float], name: String)?
        let tables = KernelDispatch.supported
        try #require(!tables.isEmpty)
        for table in tables {
            for threads in [1, 2] {
                let name = "\(s.testDescription) on \(table.kind) with \(threads) thread(s)"
                let (output, probabilities) = KernelDispatch.withTable(table) {
                    ComputeThreads.withCount(threads) {
                        AttentionKernel.attention(q: q, k: k, v: v, heads: s.heads, scale: scale, mask: mask,
                                                  returnProbabilities: true)
                    }
                }
                let plain = AttentionKernel.attention(q: q, k: k, v: v, heads: s.heads, scale: scale, mask: mask)
                #expect(output.shape == [s.batch, s.queries, width])
                let p = try #require(probabilities, "\(name): no probabilities")
                #expect(p.shape == [s.batch, s.heads, s.queries, s.keys])
                let outputError = Self.relativeError(output.scalars, expected.output)
                let probabilityError = Self.relativeError(p.scalars, expected.probabilities)
                #expect(outputError < 1e-5, "\(name): output relative error \(outputError)")
                #expect(probabilityError < 1e-5, "\(name): probability relative error \(probabilityError)")
                // Asking for the probabilities does not change the output.
                #expect(bits(plain.output.scalars) == bits(output.scalars), "\(name): output differs without probabilities")
                if let first {
                    #expect(bits(output.scalars) == bits(first.output), "\(name): output bits differ from \(first.name)")
                    #expect(bits(p.scalars) == bits(first.probabilities), "\(name): probability bits differ from \(first.name)")
                } else {
                    first = (output.scalars, p.scalars, name)
                }
            }
        }
    }

    /// No keys: every output is an empty sum (zeros), as in the plain definition.
    /// The benchmarks' peer: the two products with no softmax between them, against float64.
    @Test func productsAloneAreTheTwoPlainProducts() {
        let tokens = 37, heads = 3, headDim = 8, width = heads * headDim
        let scale: Float = 0.3
        let qkv = Tensor<Float>.randomNormal([1, tokens, 3 * width], seed: 11)              // [1, N, 3D]
        let scores = Tensor<Float>.zeros([heads, tokens, tokens])                           // [H, N, N]
        let output = AttentionKernel.productsAlone(qkv: qkv, heads: heads, scale: scale, scores: scores)
        #expect(output.shape == [1, tokens, width])
        let x: [Double] = qkv.scalars.map { Double($0) }
        let got: [Float] = output.scalars
        let row = 3 * width
        func q(_ i: Int, _ h: Int, _ e: Int) -> Double { x[i * row + h * headDim + e] }
        func k(_ j: Int, _ h: Int, _ e: Int) -> Double { x[j * row + width + h * headDim + e] }
        func v(_ j: Int, _ h: Int, _ d: Int) -> Double { x[j * row + 2 * width + h * headDim + d] }
        var worst = 0.0
        for h in 0..<heads {
            for i in 0..<tokens {
                for d in 0..<headDim {
                    var sum = 0.0
                    for j in 0..<tokens {
                        var s = 0.0
                        for e in 0..<headDim { s += q(i, h, e) * k(j, h, e) }
                        sum += Double(scale) * s * v(j, h, d)
                    }
                    let error = abs(Double(got[i * width + h * headDim + d]) - sum) / Swift.max(1, abs(sum))
                    worst = Swift.max(worst, error)
                }
            }
        }
        #expect(worst < 1e-5, "worst relative error \(worst)")
    }

    @Test func noKeysGivesZeros() {
        let q = Tensor<Float>.randomNormal([1, 3, 8], seed: 1)                                      // [1, 3, 8]
        let kv = Tensor<Float>.zeros([1, 0, 8])                                                     // [1, 0, 8]
        let result = AttentionKernel.attention(q: q, k: kv, v: kv, heads: 2, scale: 0.5, returnProbabilities: true)
        #expect(result.output.shape == [1, 3, 8] && result.output.scalars.allSatisfy { $0 == 0 })
        #expect(result.probabilities?.shape == [1, 2, 3, 0])
    }
}
