import Foundation
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

    /// Two threads inside `withCount` at the same time each see their own count, and the
    /// process default is never written (a save/restore of a global fails this: the
    /// second caller's value would be seen by the first, and restored out of order).
    @Test func perCallCountsDoNotLeakBetweenConcurrentCallers() {
        let processDefault = ComputeThreads.processDefault
        let bothInside = DispatchGroup()
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { seen.deallocate() }
        let results = UncheckedBuffer(seen)
        let done = DispatchGroup()
        for (slot, threads) in [(0, 3), (1, 5)] {
            bothInside.enter()
            done.enter()
            Thread {
                ComputeThreads.withCount(threads) {
                    bothInside.leave()
                    bothInside.wait()                      // the other caller has bound its count too
                    results.buffer[slot] = ComputeThreads.count
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(seen[0] == 3)
        #expect(seen[1] == 5)
        #expect(ComputeThreads.count == processDefault)
        #expect(ComputeThreads.processDefault == processDefault)
    }

    /// Child tasks inherit the per-call count; sibling tasks keep their own.
    @Test func perCallCountsFollowTasks() async {
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for threads in 1...6 {
                group.addTask {
                    await ComputeThreads.withCount(threads) {
                        await Task.yield()
                        let inner = await Task { ComputeThreads.count }.value   // a child task inherits it
                        return (threads, inner)
                    }
                }
            }
            var all: [(Int, Int)] = []
            for await pair in group { all.append(pair) }
            return all
        }
        #expect(counts.count == 6)
        for (asked, seen) in counts { #expect(asked == seen) }
    }

    /// Results do not depend on the thread count (each element is computed by one thread
    /// in the same order). The shape is large enough that every operation's loop splits
    /// with two threads (layerNorm on [300, 257] never did: its grain is 255 rows; sum over
    /// axis 0 splits by 1024-column blocks), and
    /// the test checks that each one did.
    @Test func resultsAreIndependentOfThreadCount() {
        let x = Tensor<Float>.randomNormal([256, 4096], seed: 5)                   // [256, 4096]
        let operations: [(String, (Tensor<Float>) -> Tensor<Float>)] = [
            ("softmax", { $0.softmax() }), ("sum(axis: 0)", { $0.sum(axis: 0) }), ("sum(axis: 1)", { $0.sum(axis: 1) }),
            ("layerNorm", { $0.layerNorm() }), ("rmsNorm", { $0.rmsNorm() }), ("exp + x", { $0.exp() + $0 }),
            ("gelu", { $0.gelu() }), ("geluTanh", { $0.geluTanh() }),
        ]
        for (name, operation) in operations {
            let single = ComputeThreads.withCount(1) { operation(x) }
            let before = ParallelLoopStatistics.splitLoopsOnCurrentThread
            let multi = ComputeThreads.withCount(2) { operation(x) }
            #expect(ParallelLoopStatistics.splitLoopsOnCurrentThread > before, "\(name) did not split over two threads")
            #expect(single.scalars == multi.scalars, "\(name)")
        }
    }

    @Test func splitLoopsAreCounted() {
        let before = ParallelLoopStatistics.splitLoopsOnCurrentThread
        ComputeThreads.withCount(1) { parallelFor(1000, grain: 1) { _ in } }
        parallelFor(10, grain: 100) { _ in }
        #expect(ParallelLoopStatistics.splitLoopsOnCurrentThread == before, "inline loops are not counted")
        ComputeThreads.withCount(2) { parallelFor(1000, grain: 1) { _ in } }
        #expect(ParallelLoopStatistics.splitLoopsOnCurrentThread == before + 1)
    }
}

/// A buffer two test threads write at different indices.
private struct UncheckedBuffer: @unchecked Sendable {
    // Safe: each thread writes only its own slot, and the reader waits for both.
    let buffer: UnsafeMutableBufferPointer<Int>
    init(_ buffer: UnsafeMutableBufferPointer<Int>) { self.buffer = buffer }
}
