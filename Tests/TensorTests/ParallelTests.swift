import Testing
import Tensor

/// The parallel loop and the thread-count setting.
@Suite(.serialized) struct ParallelTests {
    /// Ranges cover every index exactly once, for many counts, grains and thread counts.
    @Test func parallelForCoversEachIndexOnce() {
        for threads in [1, 2, 3, 8] {
            ComputeThreads.withCount(threads) {
                for count in [0, 1, 2, 7, 100, 1001] {
                    for grain in [1, 3, 64, 10_000] {
                        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(count, 1))
                        hits.initialize(repeating: 0)
                        parallelFor(count, grain: grain) { range in
                            for i in range { hits[i] += 1 }
                        }
                        #expect(hits.prefix(count).allSatisfy { $0 == 1 }, "threads \(threads) count \(count) grain \(grain)")
                        hits.deallocate()
                    }
                }
            }
        }
    }

    @Test func smallWorkStaysOnOneRange() {
        ComputeThreads.withCount(4) {
            var pieces = 0
            parallelFor(10, grain: 100) { _ in pieces += 1 }
            #expect(pieces == 1)
        }
    }

    @Test func threadCountIsSettableAndRestored() {
        let saved = ComputeThreads.count
        ComputeThreads.withCount(1) { #expect(ComputeThreads.count == 1) }
        #expect(ComputeThreads.count == saved)
        ComputeThreads.count = 0
        #expect(ComputeThreads.count == 1, "the count never drops below one")
        ComputeThreads.count = saved
    }

    /// Results do not depend on the thread count (each element is computed by one thread
    /// in the same order).
    @Test func resultsAreIndependentOfThreadCount() {
        let x = Tensor<Float>.randomNormal([300, 257], seed: 5)
        let single = ComputeThreads.withCount(1) { (x.softmax().sum(axis: 0), x.layerNorm(), x.exp() + x) }
        let multi = ComputeThreads.withCount(2) { (x.softmax().sum(axis: 0), x.layerNorm(), x.exp() + x) }
        #expect(single.0.scalars == multi.0.scalars)
        #expect(single.1.scalars == multi.1.scalars)
        #expect(single.2.scalars == multi.2.scalars)
    }
}
