import Testing
import Tensor

/// Creation functions and the seeded generator.
@Suite struct CreationTests {
    @Test func filledTensors() {
        #expect(Tensor<Float>.zeros([2, 3]).scalars == [Float](repeating: 0, count: 6))
        #expect(Tensor<Int32>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Float>.full([2], 7.5).scalars == [7.5, 7.5])
        #expect(Tensor<Float>(scalar: 4).shape == [])
        #expect(Tensor<Float>(scalar: 4).item == 4)
        #expect(Tensor<Int32>.arange(5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor<Int32>.arange(from: 10, to: 0, step: -3).scalars == [10, 7, 4, 1])
        #expect(Tensor<Float>.arange(from: 0, to: 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
        #expect(Tensor<Float>(shape: [2, 2], contentsOf: stride(from: Float(1), through: 4, by: 1)).scalars == [1, 2, 3, 4])
        #expect(Tensor<Float>.zeros([0, 3]).count == 0)
    }

    /// The stream is checked against an independent Python implementation of the same
    /// algorithm (xoshiro256**, polar method, portable log): every bit must match, which
    /// is what "same seed → same tensor on every machine" means.
    @Test func randomNormalMatchesIndependentImplementation() throws {
        let c = try #require(Fixtures.cases("random_normal").first)
        let expected = try c.expectedTensor().toFloat()
        let ours = Tensor<Float>.randomNormal(expected.shape, mean: c.float("mean"), std: c.float("std"),
                                              seed: UInt64(c.int("seed")))
        #expect(ours.scalars == expected.scalars)
        #expect(Swift.abs(ours.mean()) < 0.1 && Swift.abs(ours.variance() - 1) < 0.1)
    }

    @Test func randomUniformMatchesIndependentImplementation() throws {
        let c = try #require(Fixtures.cases("random_uniform").first)
        let expected = try c.expectedTensor().toFloat()
        let ours = Tensor<Float>.randomUniform(expected.shape, low: c.float("low"), high: c.float("high"),
                                               seed: UInt64(c.int("seed")))
        #expect(ours.scalars == expected.scalars)
        #expect(ours.min() >= -2 && ours.max() < 3)
    }

    @Test func differentSeedsDiffer() {
        let a = Tensor<Float>.randomNormal([64], seed: 1)
        #expect(a.scalars == Tensor<Float>.randomNormal([64], seed: 1).scalars)
        #expect(a.scalars != Tensor<Float>.randomNormal([64], seed: 2).scalars)
        #expect(Tensor<BFloat16>.randomNormal([3], seed: 1).dtype == .bfloat16)
    }
}
